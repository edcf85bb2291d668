// Interoperability proven, not assumed: Hugging Face's own JavaScript tokenizer loads Lodestar's
// tokenizer.json and must produce the same ids (and decode them back to the same text).
using Lodestar.Text.Prompts;
using Lodestar.Text.Tokenization;

namespace Lodestar.Text.Tests;

public class HuggingFaceInteropTests
{
    [NodeInteropFact]
    public void HuggingFaceJavaScriptTokenizerGivesTheSameIds() =>
        AssertSameAsJavaScript(SampleTexts.Tokenizer, [.. SampleTexts.Prompts.Concat(SampleTexts.Corpus).Where(t => t.Length > 0)]);

    [NodeInteropFact]
    public void RenderedPromptsEncodeTheSameInJavaScript()
    {
        var world = TestWorld.Load(2, 5, 9);
        var library = PromptLibrary.LoadBuiltIn();
        var renderer = PromptRenderingTests.Renderer(world);
        var prompts = new List<string>();
        foreach (var id in new long[] { 2, 5, 9 })
        {
            prompts.Add(renderer.Render(PromptRenderingTests.Fitted(library.Get("member"), world), PromptSubjects.ForMember(world, id)).Text);
            prompts.Add(renderer.Render(library.Get("history"), PromptSubjects.ForHistory(world, id), HistoryMode.All).Text);
            prompts.Add(renderer.Render(PromptRenderingTests.Fitted(library.Get("job"), world), PromptSubjects.ForJob(world, id)).Text);
            prompts.Add(renderer.Render(PromptRenderingTests.Fitted(library.Get("post"), world), PromptSubjects.ForPost(world, id)).Text);
            prompts.Add(renderer.Render(library.Get("pair"), PromptSubjects.ForPair(world, id, id + 1)).Text);
        }
        AssertSameAsJavaScript(TestWorld.Tokenizer, prompts);
    }

    private static void AssertSameAsJavaScript(BpeTokenizer tokenizer, List<string> texts)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lodestar-interop-tokenizer-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        TokenizerJson.Save(tokenizer, path);
        try
        {
            // No U+FEFF or U+0085 in the samples: JavaScript's \s and Oniguruma's disagree on those two.
            var (ids, decoded) = NodeInterop.Encode(path, texts);
            for (var i = 0; i < texts.Count; i++)
            {
                Assert.True(tokenizer.Encode(texts[i]).SequenceEqual(ids[i]), $"ids differ for text {i}: {texts[i]}");
                Assert.Equal(texts[i], decoded[i]);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
