// Interoperability proven, not assumed: Hugging Face's own JavaScript tokenizer loads Lodestar's
// tokenizer.json and must produce the same ids (and decode them back to the same text).
using Lodestar.Text.Tokenization;

namespace Lodestar.Text.Tests;

public class HuggingFaceInteropTests
{
    [NodeInteropFact]
    public void HuggingFaceJavaScriptTokenizerGivesTheSameIds()
    {
        var tokenizer = SampleTexts.Tokenizer;
        var path = Path.Combine(Path.GetTempPath(), $"lodestar-interop-tokenizer-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        TokenizerJson.Save(tokenizer, path);
        try
        {
            // U+FEFF and U+0085 are left out: JavaScript's \s and Oniguruma's disagree on them.
            var texts = SampleTexts.Prompts.Concat(SampleTexts.Corpus).Where(t => t.Length > 0).ToList();
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
