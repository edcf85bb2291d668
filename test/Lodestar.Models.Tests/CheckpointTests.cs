// Every model owns its checkpoint: a saved match model or SASRec loads from the file alone into a model
// that scores bit for bit the same, and files of the older formats or of another kind are refused with a
// message naming the file and what to do.
using Lodestar.Models.JobMatching;
using Lodestar.Models.SasRec;
using Lodestar.Nn;
using Lodestar.Tensors;
using Lodestar.Tensors.Serialization;

namespace Lodestar.Models.Tests;

public sealed class CheckpointTests : IDisposable
{
    private static readonly MatchOutputLayout Layout = new([5, 4, 3]);
    private static readonly MatchModelConfig TinyMatch = new() { Channels = 8, Heads = 2, FeedForward = 16, Layers = 1, MaxTokens = 8, EmbeddingChannels = 4, Seed = 3 };
    private static readonly SasRecConfig TinySasRec = new() { MaxLength = 6, Channels = 8, Heads = 2, FeedForward = 16, Layers = 1, Dropout = 0.2f };

    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void MatchModelLoadsFromItsFileAloneAndScoresTheSame()
    {
        var model = new MatchModel(MatchRole.ClickTeacher, TinyMatch, 40, Layout);
        Perturb(model);
        var path = Path.Combine(_directory, "best.safetensors");
        model.Save(path);

        var loaded = MatchModel.Load(path);
        Assert.Equal(MatchRole.ClickTeacher, loaded.Role);
        Assert.Equal(TinyMatch, loaded.Config);
        Assert.Equal(Layout.DimensionLevels, loaded.Layout.DimensionLevels);
        Assert.Equal("job-matching.click-teacher", ModelCheckpoint.ReadHeader(path).Kind);
        model.Eval();
        Assert.Equal(MatchLogits(model), MatchLogits(loaded));
    }

    [Fact]
    public void SasRecLoadsFromItsFileAloneAndScoresTheSame()
    {
        var model = new SasRecModel(TinySasRec with { Positions = PositionEncoding.Learned, Softmax = ItemSoftmax.Sampled }, 12, seed: 9);
        Perturb(model);
        var path = Path.Combine(_directory, "sasrec.safetensors");
        model.Save(path);

        var loaded = SasRecModel.Load(path);
        Assert.Equal(model.Spec with { }, loaded.Spec with { });
        Assert.False(loaded.Training);
        model.Eval();
        var expected = new float[2 * 13];
        var actual = new float[2 * 13];
        model.ScoreBatch([new[] { 3, 4, 5 }, new[] { 1 }], expected);
        loaded.ScoreBatch([new[] { 3, 4, 5 }, new[] { 1 }], actual);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "+infinity")]
    [InlineData(float.NegativeInfinity, "-infinity")]
    public void AWeightThatIsNotFiniteIsRefusedNamingTheFileAndTensor(float value, string shown)
    {
        // A run that diverged saves its weights as they are: the checksum matches, the values are what is wrong.
        var model = new MatchModel(MatchRole.Student, TinyMatch, 40, Layout);
        var name = "encoder.head.weight";
        model.NamedParameters().Single(p => p.Name == name).Parameter.Data[5] = value;
        var path = Path.Combine(_directory, "diverged.safetensors");
        model.Save(path);

        var error = Assert.Throws<InvalidDataException>(() => MatchModel.Load(path));
        Assert.Contains($"{path}: tensor '{name}' holds {shown} at element 5", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => new MatchModel(MatchRole.Student, TinyMatch, 40, Layout).LoadWeights(path));
    }

    [Fact]
    public void AFlippedBitInAnyWeightIsFoundByTheChecksumWrittenWithIt()
    {
        var model = new MatchModel(MatchRole.Student, TinyMatch, 40, Layout);
        Perturb(model);
        var path = Path.Combine(_directory, "flipped.safetensors");
        model.Save(path);
        Assert.Equal(64, TensorDigestLength(path));
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BitConverter.ToUInt64(bytes, 0);
        var header = System.Text.Json.JsonDocument.Parse(bytes.AsMemory(8, headerLength)).RootElement;
        foreach (var name in new[] { "encoder.head.weight", "encoder.tok_emb.weight" })
        {
            var flipped = (byte[])bytes.Clone();
            // The lowest mantissa bit of one weight: the value stays finite and almost the same.
            flipped[8 + headerLength + header.GetProperty(name).GetProperty("data_offsets")[0].GetInt32() + 12] ^= 1;
            File.WriteAllBytes(path, flipped);
            var error = Assert.Throws<InvalidDataException>(() => MatchModel.Load(path));
            Assert.Contains($"{path}: its tensors do not match the checksum written with them", error.Message, StringComparison.Ordinal);
        }
        File.WriteAllBytes(path, bytes);
        Assert.Equal(MatchRole.Student, MatchModel.Load(path).Role);

        static int TensorDigestLength(string file)
        {
            using var read = SafeTensorsFile.Read(file);
            return read.Metadata[ModelCheckpoint.DigestKey].Length;
        }
    }

    [Fact]
    public void TheFirstNonFiniteValueIsFoundAtEveryPlace()
    {
        for (var length = 0; length < 70; length++)
        {
            var values = Enumerable.Range(0, length).Select(i => (float)i - 30f).ToArray();
            Assert.Equal(-1, ModelCheckpoint.FirstNonFinite(values));
            for (var at = 0; at < length; at++)
            {
                foreach (var bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                {
                    var copy = (float[])values.Clone();
                    copy[at] = bad;
                    if (at + 1 < length)
                    {
                        copy[length - 1] = float.NaN;
                    }
                    Assert.Equal(at, ModelCheckpoint.FirstNonFinite(copy));
                }
            }
        }
        Assert.Equal(-1, ModelCheckpoint.FirstNonFinite([float.MaxValue, float.MinValue, float.Epsilon, -0f]));
    }

    [Fact]
    public void AModelOfAnotherKindIsRefused()
    {
        var path = Path.Combine(_directory, "sasrec.safetensors");
        new SasRecModel(TinySasRec, 12, seed: 1).Save(path);
        var error = Assert.Throws<InvalidDataException>(() => MatchModel.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("'seqrec.sasrec'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lodestar.sasrec.v1")]
    [InlineData("lodestar-checkpoint-1")]
    [InlineData(null)]
    public void OlderFormatsAreRefusedWithWhatToDo(string? format)
    {
        var path = Path.Combine(_directory, "old.safetensors");
        var writer = new SafeTensorsWriter();
        writer.Add("item_emb.weight", new float[4], 2, 2);
        writer.Save(path, format is null
            ? new Dictionary<string, string> { ["role"] = "Student" }
            : new Dictionary<string, string> { ["format"] = format });
        var error = Assert.Throws<InvalidDataException>(() => SasRecModel.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("older Lodestar", error.Message, StringComparison.Ordinal);
        Assert.Contains("retrain", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AWeightsOnlyCheckpointCannotResumeTraining()
    {
        var model = new SasRecModel(TinySasRec, 12, seed: 1);
        var path = Path.Combine(_directory, "best.safetensors");
        model.Save(path, new TrainingSnapshot(7, "{}"));
        Assert.True(ModelCheckpoint.ReadHeader(path).HasTrainingState);
        Assert.Equal("{}", ModelCheckpoint.ReadTrainingState(path));
        var optimizer = new Nn.Optim.AdamW(model.Parameters(), new Nn.Optim.AdamWConfig());
        var error = Assert.Throws<InvalidDataException>(() => ModelCheckpoint.LoadTraining(path, model, optimizer, null, SasRecModel.Kind));
        Assert.Contains("weights only", error.Message, StringComparison.Ordinal);
    }

    private static void Perturb(Module model)
    {
        // Distinct values in every parameter, so a tensor loaded under the wrong name would show.
        var i = 0;
        foreach (var (_, parameter) in model.NamedParameters())
        {
            var data = parameter.Data;
            for (var j = 0; j < data.Length; j++)
            {
                data[j] += 0.001f * ((i++ % 17) - 8);
            }
        }
    }

    private static float[] MatchLogits(MatchModel model)
    {
        int[] tokens = [1, 5, 9, 3, 0, 0, 0, 0, 2, 4, 6, 8, 10, 12, 0, 0];
        var keep = tokens.Select((t, i) => (byte)(t != 0 ? 1 : 0)).ToArray();
        return model.Forward(new Graph(recordGradients: false), tokens, 2, keep).Data.ToArray();
    }
}
