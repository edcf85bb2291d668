// AdamW against its scalar twin at every length 0..257 and against PyTorch 1.13's torch.optim.AdamW on a
// fixed three-step problem (values printed by the snippet quoted in the test).
namespace Lodestar.Kernels.Tests;

public class AdamWTests
{
    [Fact]
    public void MatchesScalarTwinAtEveryLengthAndOffset()
    {
        var settings = new AdamWSettings { LearningRate = 3e-3f, WeightDecay = 0.05f };
        foreach (var (n, offset) in OpsTestData.LengthsAndOffsets())
        {
            var (p, g) = (OpsTestData.Uniform(n, n + offset), OpsTestData.Uniform(n + 1, n + offset));
            var (m, v) = (OpsTestData.Uniform(n + 2, n + offset, 0.1f), OpsTestData.Uniform(n + 3, n + offset, 0.1f).Select(Math.Abs).ToArray());
            var (pRef, mRef, vRef) = ((float[])p.Clone(), (float[])m.Clone(), (float[])v.Clone());
            for (int step = 1; step <= 3; step++)
            {
                AdamW.Step(p.AsSpan(offset), g.AsSpan(offset), m.AsSpan(offset), v.AsSpan(offset), settings, step);
                AdamWReference.Step(pRef.AsSpan(offset), g.AsSpan(offset), mRef.AsSpan(offset), vRef.AsSpan(offset), settings, step);
            }
            OpsTestData.AssertClose(pRef, p, 1e-7f, 1e-6f, $"params n={n}");
            OpsTestData.AssertClose(mRef, m, 1e-7f, 1e-6f, $"m n={n}");
            OpsTestData.AssertClose(vRef, v, 1e-7f, 1e-6f, $"v n={n}");
        }
    }

    [Fact]
    public void MatchesPyTorchAdamW()
    {
        // p = torch.tensor([0.5, -1.25, 2.0, 0.0, 3.5, -0.75, 1e-3], requires_grad=True)
        // opt = torch.optim.AdamW([p], lr=0.01, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
        // for g in grads: p.grad = torch.tensor(g); opt.step()        (torch 1.13.0, CPU, float32)
        float[] p = [0.5f, -1.25f, 2.0f, 0.0f, 3.5f, -0.75f, 1e-3f];
        float[][] grads =
        [
            [0.1f, -0.2f, 0.3f, 0.0f, -1.5f, 2.0f, 1e-4f],
            [0.05f, 0.4f, -0.3f, 1.0f, 0.5f, -2.0f, -1e-4f],
            [-0.3f, 0.1f, 0.2f, -1.0f, 0.0f, 1.0f, 2e-4f],
        ];
        var (m, v) = (new float[7], new float[7]);
        var settings = new AdamWSettings { LearningRate = 0.01f, Beta1 = 0.9f, Beta2 = 0.95f, Epsilon = 1e-8f, WeightDecay = 0.1f };
        for (int step = 1; step <= 3; step++)
        {
            AdamW.Step(p, grads[step - 1], m, v, settings, step);
        }
        float[] torchParams = [0.4825434386730194f, -1.2440766096115112f, 1.9821805953979492f, -0.006895950995385647f, 3.506695508956909f, -0.758968710899353f, -0.013376392424106598f];
        float[] torchM = [-0.017400002107024193f, 0.02979999966919422f, 0.01730000041425228f, -0.01000000536441803f, -0.07650000602006912f, 0.0819999948143959f, 1.9099999917671084e-05f];
        float[] torchV = [0.005070000421255827f, 0.009905001148581505f, 0.010336250998079777f, 0.09749999642372131f, 0.11340625584125519f, 0.4204999804496765f, 2.9262499090521032e-09f];
        OpsTestData.AssertClose(torchParams, p, 1e-7f, 1e-6f, "params vs torch");
        OpsTestData.AssertClose(torchM, m, 1e-9f, 1e-6f, "exp_avg vs torch");
        OpsTestData.AssertClose(torchV, v, 1e-12f, 1e-6f, "exp_avg_sq vs torch");
    }

    [Fact]
    public void InvalidSettingsNameTheField()
    {
        var error = Assert.Throws<Lodestar.Core.InvalidConfigException>(() => new AdamWSettings { Beta2 = 1f }.Validate());
        Assert.Equal("Beta2", error.Field);
        Assert.Throws<ArgumentOutOfRangeException>(() => AdamW.Step(new float[1], new float[1], new float[1], new float[1], new AdamWSettings(), 0));
    }
}
