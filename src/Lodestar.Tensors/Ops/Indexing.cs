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
        Kernels.Embedding.Backward(entry.Output.Grad, (int[])entry.Aux!, GradOf(entry.A!), entry.A!.Dim(0), entry.A!.Columns);
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
        var ids = (int[])entry.Aux!;
        var channels = entry.A!.Columns;
        var g = entry.Output.Grad;
        var dSource = GradOf(entry.A!);
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
        var columns = (int[])entry.Aux!;
        var k = entry.A!.Columns;
        var g = entry.Output.Grad;
        var dx = GradOf(entry.A!);
        for (var i = 0; i < columns.Length; i++)
        {
            dx[(i * k) + columns[i]] += g[i];
        }
    }
}
