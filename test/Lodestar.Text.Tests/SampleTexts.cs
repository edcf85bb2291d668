// Texts shared by the tokenizer tests: a small multilingual training corpus and prompts with added
// tokens, accents, CJK, emoji, odd whitespace and contractions (the cases byte-level BPE must survive).
using Lodestar.Text.Tokenization;

namespace Lodestar.Text.Tests;

internal static class SampleTexts
{
    public static readonly string[] Corpus =
    [
        "Senior data engineer with ten years of experience building streaming pipelines in Scala and Python.",
        "We're hiring a machine learning engineer to work on ranking, retrieval and recommendation systems.",
        "She'll lead the team; they've shipped 12 releases in 2025 and we'd like 3 more by March.",
        "Ingénieure logicielle à Zürich: développement d'applications, qualité et café crème.",
        "Der Bäcker verkauft Brötchen und Brezeln für 0,50 € das Stück.",
        "東京で働くソフトウェアエンジニア。機械学習と検索の経験があります。",
        "数据科学家，负责推荐系统与大规模机器学习平台。",
        "Great post! 🚀🔥 Congrats to the whole team 👏👏 #hiring #ml",
        "Skills: Python, SQL, Kubernetes, PyTorch, distributed systems, A/B testing.",
        "  indented text\twith tabs\nand newlines\r\n   and trailing spaces   ",
        "Email: jane.doe@example.com, phone +1 (555) 010-9999, url https://example.com/jobs?id=42&ref=feed",
        "Job: Registered nurse, night shifts, 36 hours per week, hospital in Lyon.",
        "Numbers: 1234567 3.14159 1e-9 007 ¾ ½ ² ٣ ४",
    ];

    public static readonly string[] Prompts =
    [
        "[CLS]<member><headline>Senior data engineer</headline><skills>Python, SQL, Kubernetes</skills></member>[SEP]",
        "<post><view_percentile>71</view_percentile><text>We're hiring! 🚀 Apply now.</text></post>",
        "<history><item><click>Ingénieure logicielle à Zürich</item><item><like>東京で働く</item></history>",
        "Unseen words: xylophone quokka zyzzyva, 😀😃😄 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 letters.",
        "   multiple   spaces\n\n\nand\tmixed \u00a0 whitespace \u3000 end  ",
        "can't won't they're I'm we'll he'd it's 'quoted' ''' O'Neil'S",
        "<skills></skills><skills>",
        "<skill><skills <<skills>> [CLS][SEP][PAD] [MASK]",
        "",
        " ",
        "a",
        "Zalgo: Z̴̡̛a̸͎l̶g̷o̵ and combining é (e + \u0301) vs é",
        "Arabic: مهندس برمجيات; Hebrew: מהנדס; Hindi: सॉफ्टवेयर इंजीनियर; Thai: วิศวกร",
        "Family emoji 👨‍👩‍👧‍👦 and flags 🇫🇷🇯🇵 and skin tones 👍🏽",
    ];

    private static readonly Lazy<BpeTokenizer> Trained = new(() => Train(vocabSize: 700));

    /// <summary>A small tokenizer trained on <see cref="Corpus"/> with the default added tokens plus field markers.</summary>
    public static BpeTokenizer Tokenizer => Trained.Value;

    public static BpeTokenizer Train(int vocabSize)
    {
        IReadOnlyList<string> added =
        [
            .. SpecialTokens.Default,
            "<headline>", "</headline>", "<skills>", "</skills>", "<text>", "</text>", "<view_percentile>", "</view_percentile>",
        ];
        var trainer = new BpeTrainer(new BpeTrainerConfig { VocabSize = vocabSize, AddedTokens = added });
        for (var repeat = 0; repeat < 3; repeat++)
        {
            foreach (var line in Corpus)
            {
                trainer.AddText(line + "\n");
            }
        }
        return trainer.Train();
    }
}
