// Teacher outputs precomputed once per teacher version: the key is a SHA-256 of the teacher's weights
// file and the data set's content hash, so retraining one teacher never recomputes the other's outputs.
using System.Security.Cryptography;
using System.Text;
using Lodestar.Models.JobMatching;
using Lodestar.Tensors.Serialization;
using Lodestar.Features.JobMatching;
using Lodestar.Training.Loop;

namespace Lodestar.Training.JobMatching;

public static class TeacherCache
{
    private static long s_forwardPasses;

    /// <summary>Teacher forward passes (batches) run so far in this process; a cache hit adds none.</summary>
    public static long ForwardPasses => Interlocked.Read(ref s_forwardPasses);

    /// <summary>The teacher's logits for every example of the data set, from the cache when its version was seen before,
    /// with the version's key (<see cref="Key"/>).</summary>
    public static (float[] Logits, string Key) Get(string teacherRun, MatchRole role, MatchDataSet data, string cacheDirectory, int batchSize = 64)
    {
        var key = Key(teacherRun, data);
        var path = Path.Combine(cacheDirectory, $"{MatchModel.RoleName(role)}-{key[..16]}.safetensors");
        if (File.Exists(path))
        {
            using var file = SafeTensorsFile.Read(path);
            if (file.Metadata.TryGetValue("key", out var stored) && stored == key)
            {
                return (file.GetFloat32("logits").ToArray(), key);
            }
        }
        var model = MatchInference.LoadTeacher(teacherRun, role, data.VocabSize, data.Layout);
        var logits = MatchScorer.Predict(model, MatchPipeline.ForRun(data, teacherRun).Examples, batchSize);
        Interlocked.Add(ref s_forwardPasses, (data.Examples.Count + batchSize - 1) / batchSize);
        Directory.CreateDirectory(cacheDirectory);
        var writer = new SafeTensorsWriter();
        writer.Add("logits", logits, data.Examples.Count, data.Layout.Width);
        writer.Save(path, new Dictionary<string, string>(StringComparer.Ordinal) { ["key"] = key, ["teacher_run"] = Path.GetFullPath(teacherRun), ["data"] = data.ContentHash });
        return (logits, key);
    }

    /// <summary>SHA-256 over the teacher's best weights, the data content hash and, when the teacher reads the pairs under another data config, that config.</summary>
    public static string Key(string teacherRun, MatchDataSet data)
    {
        var weights = Path.Combine(teacherRun, MatchInference.BestWeightsFile);
        if (!File.Exists(weights))
        {
            throw new FileNotFoundException($"{weights}: teacher run has no best weights (train the teacher first)", weights);
        }
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var stream = File.OpenRead(weights))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                sha.AppendData(buffer, 0, read);
            }
        }
        sha.AppendData(Encoding.UTF8.GetBytes(data.ContentHash));
        var teacher = MatchInference.ReadConfig(teacherRun);
        if (teacher.Data != data.Config || teacher.Model.MaxTokens != data.MaxTokens)
        {
            sha.AppendData(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(teacher.Data, RunJson.Options));
            sha.AppendData(BitConverter.GetBytes(teacher.Model.MaxTokens));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
