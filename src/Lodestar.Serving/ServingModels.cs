// The trained models a server answers with, loaded together from one models directory: the shared retrieval encoder
// (a feed-retrieval run in retrieval/), the feed ranker (a feed-ranking run in feed-ranker/) and the job-matching
// student (a match run in job-student/). Loaded beside any models in use, they replace them in one reference swap.
using Lodestar.Core;
using Lodestar.Features.Retrieval;
using Lodestar.Models.FeedRanking;
using Lodestar.Serving.Jobs;

namespace Lodestar.Serving;

public sealed record ServingModels(RetrievalEncoder Retrieval, FeedRankerModel Ranker, JobStudent Jobs, string Directory)
{
    /// <summary>The folder of a models directory holding the feed-retrieval run.</summary>
    public const string RetrievalFolder = ModelFolders.Retrieval;

    /// <summary>The folder of a models directory holding the feed-ranking run.</summary>
    public const string RankerFolder = ModelFolders.FeedRanker;

    /// <summary>The folder of a models directory holding the job-matching student's run.</summary>
    public const string JobStudentFolder = ModelFolders.JobStudent;

    /// <summary>Reads the three runs of <paramref name="directory"/>; a missing folder or file is named.</summary>
    public static ServingModels Load(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"{directory}: no models directory; it holds {RetrievalFolder}/ (`lodestar retrieval train`), {RankerFolder}/ (`lodestar feed train`) "
                + $"and {JobStudentFolder}/ (`lodestar match train student`); `lodestar quickstart` writes all three");
        }
        var retrieval = RetrievalEncoder.Load(Path.Combine(directory, RetrievalFolder));
        var rankerCheckpoint = Path.Combine(directory, RankerFolder, RunFiles.Best);
        if (!File.Exists(rankerCheckpoint))
        {
            throw new FileNotFoundException($"{rankerCheckpoint}: not found; {RankerFolder}/ must be a feed-ranking run directory (`lodestar feed train --run {Path.Combine(directory, RankerFolder)}`)", rankerCheckpoint);
        }
        var ranker = FeedRankerModel.Load(rankerCheckpoint);
        return new ServingModels(retrieval, ranker, JobStudent.Load(Path.Combine(directory, JobStudentFolder)), directory);
    }
}
