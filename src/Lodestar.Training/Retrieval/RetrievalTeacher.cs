// A trained retrieval run as a teacher (Hinton et al. 2015; LinkedIn distils its LLM retriever into a smaller one):
// its best encoder, reading prompts in the vocabulary and budgets it was trained with, scores each training batch's
// candidate set, and the student learns to match that distribution beside the engagements themselves.
using Lodestar.Features.Retrieval;
using Lodestar.Models.Bert;
using Lodestar.Nn;
using Lodestar.Tensors;
using Lodestar.Text.Prompts;
using Lodestar.Training.Loop;

namespace Lodestar.Training.Retrieval;

public sealed class RetrievalTeacher
{
    private readonly BertModel _model;
    private readonly RetrievalPrompts _prompts;
    private readonly float _temperature;
    private readonly Graph _graph = new(recordGradients: false);

    private RetrievalTeacher(BertModel model, RetrievalPrompts prompts, float temperature, string checkpoint)
    {
        _model = model;
        _prompts = prompts;
        _temperature = temperature;
        Checkpoint = checkpoint;
    }

    /// <summary>The teacher's weights (the run's best checkpoint).</summary>
    public string Checkpoint { get; }

    /// <summary>
    /// The teacher in <paramref name="runDirectory"/> (a finished `retrieval train` run), which must have been trained on
    /// the same posts and impressions as the student (<paramref name="studentInputs"/>, compared by sha256).
    /// </summary>
    public static RetrievalTeacher Load(string runDirectory, IReadOnlyList<RunInput> studentInputs, WorldSnapshot world, FeedLog log, int fitBefore)
    {
        var record = RunRecord<RetrievalConfig>.Read(runDirectory);
        foreach (var input in studentInputs.Where(i => i.Role is "posts" or "feed-impressions"))
        {
            var theirs = record.Data.Inputs.FirstOrDefault(i => i.Role == input.Role);
            if (theirs is null || theirs.Sha256 != input.Sha256)
            {
                throw new InvalidDataException($"{Path.Combine(runDirectory, RunRecord<RetrievalConfig>.FileName)}: the teacher was trained on other {input.Role} ({theirs?.Path ?? "none"}) than {input.Path}; a teacher must know the student's world");
            }
        }
        var encoder = RetrievalEncoder.Load(runDirectory);
        var config = record.Config;
        return new RetrievalTeacher(encoder.Model, config.Prompts(world, log, encoder.Tokenizer, fitBefore), config.Temperature, encoder.CheckpointPath);
    }

    /// <summary>The teacher's logits (N·K, row-major) over a batch's candidate set: cosine similarities over its own temperature, exclusions masked.</summary>
    public float[] Logits(IReadOnlyList<RetrievalExample> examples, RetrievalBatch batch)
    {
        _graph.Reset();
        var members = PromptEmbedder.Encode(_model, _graph, [.. examples.Select(e => _prompts.MemberTokens(e.MemberId, e.Day))]);
        var posts = PromptEmbedder.Encode(_model, _graph, [.. batch.Candidates.Select((p, j) => _prompts.PostTokens(p, batch.Days[j]))]);
        return Losses.CandidateLogits(_graph, members, posts, batch.Excluded, _temperature).Data.ToArray();
    }
}
