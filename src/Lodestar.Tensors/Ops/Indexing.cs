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
        var src = table.Data;
        var dst = output.Data;
        for (var i = 0; i < ids.Length; i++)
        {
            var id = ids[i];
            if ((uint)id >= (uint)rows)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"index {id} at position {i} is outside [0,{rows}) of {table.Describe()}");
            }
            src.Slice(id * channels, channels).CopyTo(dst.Slice(i * channels, channels));
        }
        if (Tracks(table))
        {
            ref var entry = ref Record(OpKind.IndexSelect, output);
            entry.A = table;
            entry.Aux = ids;
        }
        return output;
    }

    private void IndexSelectBackward(in TapeEntry entry)
    {
        // d table[ids[i]] += d out[i]; rows never looked up stay untouched.
        var ids = (int[])entry.Aux!;
        var channels = entry.A!.Columns;
        var g = entry.Output.Grad;
        var dTable = GradOf(entry.A!);
        for (var i = 0; i < ids.Length; i++)
        {
            VectorMath.AddInto(g.Slice(i * channels, channels), dTable.Slice(ids[i] * channels, channels));
        }
    }

    /// <summary>source is (N,C), ids are (N); returns (rows,C) zeros with out[ids[i]] += source[i].</summary>
    public Tensor ScatterAdd(Tensor source, int[] ids, int rows)
    {
        source = Contiguous(source);
        Require(source.Rank == 2 && source.Dim(0) == ids.Length, $"scatter add: source {source.Describe()} needs one row per id ({ids.Length})");
        var channels = source.Columns;
        var output = Zeros(rows, channels);
        for (var i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)rows)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"index {ids[i]} at position {i} is outside [0,{rows})");
            }
            VectorMath.AddInto(source.Data.Slice(i * channels, channels), output.Data.Slice(ids[i] * channels, channels));
        }
        if (Tracks(source))
        {
            ref var entry = ref Record(OpKind.ScatterAdd, output);
            entry.A = source;
            entry.Aux = ids;
        }
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
        if (Tracks(x))
        {
            ref var entry = ref Record(OpKind.GatherColumns, output);
            entry.A = x;
            entry.Aux = columns;
        }
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
