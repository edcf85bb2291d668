// Percentile buckets: monotone in the value, covering 0..B-1, each bucket one or two tokens between its
// markers, and stored beside the template so a reload renders the same prompt.
using Lodestar.Text.Prompts;

namespace Lodestar.Text.Tests;

public class PercentileTests
{
    [Fact]
    public void BucketsAreMonotoneInTheValueAndSpanTheRange()
    {
        var random = new Random(11);
        // Heavy-tailed counts with many ties, like view counts.
        var training = Enumerable.Range(0, 5000).Select(_ => Math.Floor(Math.Exp(random.NextDouble() * 10) - 1)).ToList();
        var distribution = PercentileDistribution.Fit("post.impressions", training, 100);
        var probes = training.Concat(Enumerable.Range(-5, 30000).Select(v => v * 0.75)).Order().ToList();
        var previous = -1;
        foreach (var value in probes)
        {
            var bucket = distribution.Bucket(value);
            Assert.InRange(bucket, 0, 99);
            Assert.True(bucket >= previous, $"bucket fell from {previous} to {bucket} at {value}");
            previous = bucket;
        }
        Assert.Equal(0, distribution.Bucket(double.MinValue));
        Assert.Equal(99, distribution.Bucket(double.MaxValue));
        // Uniform training data: the bucket is the percentile.
        var uniform = PercentileDistribution.Fit("x", Enumerable.Range(0, 1000).Select(i => (double)i), 100);
        Assert.Equal(71, uniform.Bucket(715));
    }

    [Fact]
    public void EveryBucketIsOneOrTwoTokensBetweenSingleTokenMarkers()
    {
        var tokenizer = TestWorld.Tokenizer;
        var open = tokenizer.Encode("<view_percentile>");
        var close = tokenizer.Encode("</view_percentile>");
        Assert.Single(open);
        Assert.Single(close);
        for (var bucket = 0; bucket < 100; bucket++)
        {
            var value = bucket.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var inner = tokenizer.CountTokens(value);
            Assert.InRange(inner, 1, 2);
            Assert.Equal(inner + 2, tokenizer.CountTokens($"<view_percentile>{value}</view_percentile>"));
        }
    }

    [Fact]
    public void FittedTemplatesRoundTripThroughADirectory()
    {
        var world = TestWorld.Load();
        var library = PromptLibrary.LoadBuiltIn();
        foreach (var entry in library.Entries)
        {
            if (PercentileFitter.Fit(entry.Template, world, "test world") is { } table)
            {
                library.SetPercentiles(entry.Template.Name, table);
            }
        }
        var directory = Path.Combine(Path.GetTempPath(), $"lodestar-templates-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            library.Save(directory);
            Assert.True(File.Exists(Path.Combine(directory, "post.percentiles.json")));
            var reloaded = PromptLibrary.Load(directory);
            var renderer = PromptRenderingTests.Renderer(world);
            var before = renderer.Render(library.Get("post"), PromptSubjects.ForPost(world, 9));
            var after = renderer.Render(reloaded.Get("post"), PromptSubjects.ForPost(world, 9));
            Assert.Equal(before.Text, after.Text);
            Assert.Contains("<view_percentile>", after.Text, StringComparison.Ordinal);
            Assert.Equal(library.Get("job").Percentiles!.ByField["view_percentile"].Edges, reloaded.Get("job").Percentiles!.ByField["view_percentile"].Edges);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void RenderingWithoutAFittedDistributionSaysHowToFitOne()
    {
        var world = TestWorld.Load();
        var error = Assert.Throws<InvalidOperationException>(() =>
            PromptRenderingTests.Renderer(world).Render(PromptLibrary.LoadBuiltIn().Get("post"), PromptSubjects.ForPost(world, 1)));
        Assert.Contains("lodestar prompt fit", error.Message, StringComparison.Ordinal);
    }
}
