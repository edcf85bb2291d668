// A DCNv2 network (Wang et al., "DCN V2", WWW 2021): explicit feature crosses x_{l+1} = x₀ ⊙ (W_l·x_l + b_l) + x_l,
// each layer one order higher, then a ReLU layer down to the expert width. The feed ranker's experts.
using Lodestar.Core;
using Lodestar.Nn;
using Lodestar.Tensors;

namespace Lodestar.Models.FeedRanking;

public sealed class DcnNetwork : Module
{
    private readonly Linear[] _cross;

    public DcnNetwork(int inputs, int crossLayers, int width, SeededRandom random)
    {
        _cross = new Linear[crossLayers];
        for (var l = 0; l < crossLayers; l++)
        {
            _cross[l] = AddModule($"cross{l}", new Linear(inputs, inputs, random));
        }
        Deep = AddModule("deep", new Linear(inputs, width, random));
    }

    public IReadOnlyList<Linear> Cross => _cross;

    public Linear Deep { get; }

    /// <summary>x0 is (N, Z); returns (N, W).</summary>
    public Tensor Forward(Graph graph, Tensor x0)
    {
        var x = x0;
        foreach (var cross in _cross)
        {
            x = graph.Add(graph.Mul(x0, cross.Forward(graph, x)), x);
        }
        return graph.Relu(Deep.Forward(graph, x));
    }
}
