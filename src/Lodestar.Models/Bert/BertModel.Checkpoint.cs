// A BERT-family encoder saves and loads itself in the one checkpoint format, its config in the header and its
// weights under the Hugging Face names.
using System.Text.Json;
using Lodestar.Nn;

namespace Lodestar.Models.Bert;

public sealed partial class BertModel
{
    /// <summary>The checkpoint kind of BERT-family encoders.</summary>
    public const string Kind = "encoder.bert";

    /// <summary>Writes the weights and config (and, when given, the training state) to path, atomically.</summary>
    public void Save(string path, TrainingSnapshot? training = null) =>
        ModelCheckpoint.Save(path, this, Kind, JsonSerializer.Serialize(Config, ModelCheckpoint.Json), training);

    /// <summary>The encoder a checkpoint describes, with its weights, in evaluation mode.</summary>
    public static BertModel Load(string path) => ModelCheckpoint.Load<BertModel, BertConfig>(path, Kind, config => new BertModel(config));
}
