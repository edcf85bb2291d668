// Gather/scatter by integer index: embedding lookup (rows of a table), scatter-add of rows, and picking
// one column per row. Embedding backward touches only the looked-up rows (sparse row gradients).
namespace Lodestar.Tensors;

public sealed partial class Graph
{
    /// <summary>table is (V,C), ids are (B·T) row numbers; returns (B,T,C).</summary>
    public Tensor Embedding(Tensor table, int[] ids, int batch, int tokens)
    {
        Require(ids.Length == batch * tokens, $"embedding: {ids.Length} ids for B·T = {batch}·{tokens}");
        return IndexSelectInto(table, ids, [batch, tokens, table.Columns]);
    }

    /// <summary>table is (V,C), ids are (N); returns (N,C) with row i = table[ids[i]].</summary>
    public Tensor IndexSelect(Tensor table, int[] ids) => IndexSelectInto(table, ids, [ids.Length, table.Columns]);

    private Tensor IndexSelectInto(Tensor table, int[] ids, ReadOnlySpan<int> shape)
    {
        table = Contiguous(table);
        Require(table.Rank == 2, $"index select: table {table.Describe()} must be (V,C)");
        var rows = table.Dim(0);
        var channels = table.Dim(1);
        var output = NewOutput(shape);
        CheckIndices(ids, rows, "index select", table);
        Kernels.Embedding.Forward(table.Data, ids, output.Data, rows, channels);
        RecordIfTracked(OpKind.IndexSelect, output, table, ids);
        return output;
    }

    private void IndexSelectBackward(in TapeEntry entry)
    {
        // d table[ids[i]] += d out[i]; rows never looked up stay untouched.
        Kernels.Embedding.Backward(entry.Output.Grad, entry.Ids, GradOf(entry.Table), entry.Table.Dim(0), entry.Table.Columns);
    }

    /// <summary>source is (N,C), ids are (N); returns (rows,C) zeros with out[ids[i]] += source[i].</summary>
    public Tensor ScatterAdd(Tensor source, int[] ids, int rows)
    {
        source = Contiguous(source);
        Require(source.Rank == 2 && source.Dim(0) == ids.Length, $"scatter add: source {source.Describe()} needs one row per id ({ids.Length})");
        var channels = source.Columns;
        var output = Zeros(rows, channels);
        CheckIndices(ids, rows, "scatter add");
        for (var i = 0; i < ids.Length; i++)
        {
            VectorMath.AddInto(source.Data.Slice(i * channels, channels), output.Data.Slice(ids[i] * channels, channels));
        }
        RecordIfTracked(OpKind.ScatterAdd, output, source, ids);
        return output;
    }

    private void ScatterAddBackward(in TapeEntry entry)
    {
        var ids = entry.Ids;
        var channels = entry.Source.Columns;
        var g = entry.Output.Grad;
        var dSource = GradOf(entry.Source);
        for (var i = 0; i < ids.Length; i++)
        {
            VectorMath.AddInto(g.Slice(ids[i] * channels, channels), dSource.Slice(i * channels, channels));
        }
    }

    /// <summary>x is (N,K), columns are (N); returns (N) with out[i] = x[i, columns[i]].</summary>
    public Tensor GatherColumns(Tensor x, int[] columns)
    {
        x = Contiguous(x);
        Require(x.Rank == 2 && x.Dim(0) == columns.Length, $"gather columns: {x.Describe()} needs one column per row ({columns.Length})");
        var k = x.Columns;
        var output = NewOutput([columns.Length]);
        for (var i = 0; i < columns.Length; i++)
        {
            Require((uint)columns[i] < (uint)k, $"gather columns: column {columns[i]} of row {i} is outside [0,{k})");
            output.Data[i] = x.Data[(i * k) + columns[i]];
        }
        RecordIfTracked(OpKind.GatherColumns, output, x, columns);
        return output;
    }

    private void GatherColumnsBackward(in TapeEntry entry)
    {
        var columns = entry.Columns;
        var k = entry.Input.Columns;
        var g = entry.Output.Grad;
        var dx = GradOf(entry.Input);
        for (var i = 0; i < columns.Length; i++)
        {
            dx[(i * k) + columns[i]] += g[i];
        }
    }
}

/// <summary>What the indexing ops' backward passes read.</summary>
internal partial struct TapeEntry
{
    /// <summary>IndexSelect: the table (R, C) rows were read from.</summary>
    public Tensor Table { readonly get => _input0!; set => _input0 = value; }

    /// <summary>ScatterAdd: the rows (N, C) that were added; View and Contiguous: the tensor viewed or copied.</summary>
    public Tensor Source { readonly get => _input0!; set => _input0 = value; }

    /// <summary>IndexSelect and ScatterAdd: the row id of each of the N rows.</summary>
    public int[] Ids { readonly get => _indices!; set => _indices = value; }

    /// <summary>GatherColumns: the column picked for each row.</summary>
    public int[] Columns { readonly get => _indices!; set => _indices = value; }
}
