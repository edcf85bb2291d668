// A pretrained encoder as `lodestar model import` leaves it: the BERT-family checkpoint and the WordPiece vocabulary
// it was trained with, loaded together and checked to belong together, so a task can start from its weights and
// render its prompts in its tokens.
using Lodestar.Models.Bert;
using Lodestar.Text.Tokenization;

namespace Lodestar.Features.Encoders;

public sealed record PretrainedEncoder(BertModel Model, BertWordPiece Tokenizer, string CheckpointPath)
{
    public const string CheckpointFile = "encoder.safetensors";
    public const string VocabularyFile = "vocab.txt";

    /// <summary>The encoder in <paramref name="directory"/> ({CheckpointFile} and {VocabularyFile}), in evaluation mode.</summary>
    public static PretrainedEncoder Load(string directory)
    {
        var checkpoint = Path.Combine(directory, CheckpointFile);
        var vocabulary = Path.Combine(directory, VocabularyFile);
        foreach (var file in new[] { checkpoint, vocabulary })
        {
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"{file}: not found; a pretrained encoder directory holds {CheckpointFile} and {VocabularyFile} (`lodestar model import`)", file);
            }
        }
        var model = BertModel.Load(checkpoint);
        var tokenizer = BertWordPiece.Load(vocabulary);
        if (tokenizer.VocabSize != model.Config.VocabSize)
        {
            throw new InvalidDataException($"{vocabulary}: {tokenizer.VocabSize} tokens, but {checkpoint} embeds {model.Config.VocabSize}; the vocabulary and the encoder must belong together");
        }
        return new PretrainedEncoder(model, tokenizer, checkpoint);
    }
}
