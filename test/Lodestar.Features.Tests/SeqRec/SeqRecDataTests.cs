// Sequence files into leave-one-out splits: the split rule, provenance, and errors that name the file,
// line and field; plus the real Amazon files when ../shared/data is present.
using Lodestar.Data.Splits;
using Lodestar.Data.Storage;
using Lodestar.TestSupport;
using Lodestar.Features.SeqRec;

namespace Lodestar.Features.Tests.SeqRec;

public sealed class SeqRecDataTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-seqrec-data-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void LeaveOneOutHoldsOutTheLastTwoItems()
    {
        var splits = SeqRecData.Load(Write("10 1 2 3 4\n11 4 3 5\n"));
        Assert.Equal([10L, 11L], splits.UserIds);
        Assert.Equal(5, splits.ItemCount);
        Assert.Equal(7, splits.Provenance.Interactions);
        Assert.Equal([1, 2], splits.Training[0].ToArray());
        Assert.Equal([4], splits.Training[1].ToArray());
        Assert.Equal(3, splits.Validation[0].Target);
        Assert.Equal([1, 2], splits.Validation[0].History.ToArray());
        Assert.Equal(4, splits.Test[0].Target);
        Assert.Equal([1, 2, 3], splits.Test[0].History.ToArray());
        Assert.Equal(1, splits.IndexOfUser(11));
        Assert.Equal(64, splits.Provenance.Sha256.Length);
    }

    [Fact]
    public void BadItemNamesFileLineAndField()
    {
        var path = Write("1 1 2 3\n2 4 x 5\n");
        var error = Assert.Throws<DataFormatException>(() => SeqRecData.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
        Assert.Equal("item 2", error.Field);
    }

    [Fact]
    public void TooShortSequenceIsRejectedWithItsLine()
    {
        var error = Assert.Throws<DataFormatException>(() => SeqRecData.Load(Write("1 1 2 3\n7 4 5\n")));
        Assert.Equal(2, error.Line);
        Assert.Equal("items", error.Field);
    }

    [Fact]
    public void PaddingIdZeroIsRejected()
    {
        var error = Assert.Throws<Lodestar.Data.Storage.DataFormatException>(() => SeqRecData.Load(Write("1 1 2 3\n7 4 0 5\n")));
        Assert.Equal((2L, "item 2"), (error.Line, error.Field));
        Assert.Contains("0 is the padding id", error.Message, StringComparison.Ordinal);
    }

    [SharedDataFact("seqrec-amazon/Beauty.txt")]
    public void BeautyHasTheCountsOfItsSourceFile()
    {
        // ../shared/data/seqrec-amazon/SOURCE.txt: Beauty 22,363 users / 12,101 items / 198,502 interactions.
        var splits = SeqRecData.Load(RepoPaths.SharedDataFile("seqrec-amazon/Beauty.txt"));
        Assert.Equal(22363, splits.Provenance.Users);
        Assert.Equal(12101, splits.ItemCount);
        Assert.Equal(198502, splits.Provenance.Interactions);
    }
}
