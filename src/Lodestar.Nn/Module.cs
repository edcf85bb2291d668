// Base of every layer: named parameters and child modules, so a model's state dict uses exactly the
// PyTorch names ("blocks.0.attn.qkv.weight") and lines up with safetensors files written by PyTorch.
using Lodestar.Tensors;

namespace Lodestar.Nn;

public abstract class Module
{
    private readonly List<(string Name, Tensor Parameter)> _parameters = [];
    private readonly List<(string Name, Module Child)> _children = [];

    /// <summary>Training mode enables dropout; evaluation mode makes every layer deterministic.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Every parameter with its dotted name, depth-first in registration order.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters()
    {
        foreach (var (name, parameter) in _parameters)
        {
            yield return (name, parameter);
        }
        foreach (var (childName, child) in _children)
        {
            foreach (var (name, parameter) in child.NamedParameters())
            {
                yield return ($"{childName}.{name}", parameter);
            }
        }
    }

    /// <summary>Every descendant module with its dotted name, depth-first.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules()
    {
        foreach (var (childName, child) in _children)
        {
            yield return (childName, child);
            foreach (var (name, module) in child.NamedModules())
            {
                yield return ($"{childName}.{name}", module);
            }
        }
    }

    public IReadOnlyList<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter).ToArray();

    /// <summary>Parameters by full name.</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict() => NamedParameters().ToDictionary(p => p.Name, p => p.Parameter, StringComparer.Ordinal);

    public long ParameterCount => NamedParameters().Sum(p => (long)p.Parameter.Length);

    public void ZeroGrad()
    {
        foreach (var (_, parameter) in NamedParameters())
        {
            parameter.ZeroGrad();
        }
    }

    public void Train(bool training = true)
    {
        if (training && Frozen)
        {
            SetFrozen(false);
        }
        Training = training;
        foreach (var (_, child) in _children)
        {
            child.Train(training);
        }
    }

    public void Eval() => Train(false);

    /// <summary>True after FreezeForInference until the next Train() (LoadStateDict keeps it, repacking).</summary>
    public bool Frozen { get; private set; }

    /// <summary>
    /// Evaluation mode plus weights prepared once for inference graphs (Linear weights packed for the GEMM, as
    /// inference runtimes prepack). A snapshot: after writing parameters directly (EMA CopyTo, Checkpoint
    /// loads), call it again; Train() and LoadStateDict take care of themselves.
    /// </summary>
    public void FreezeForInference()
    {
        Eval();
        SetFrozen(true);
    }

    /// <summary>Called on every module when FreezeForInference packs (true) or Train() drops (false) its prepared weights.</summary>
    protected virtual void OnFrozenChanged(bool frozen)
    {
    }

    private void SetFrozen(bool frozen)
    {
        Frozen = frozen;
        OnFrozenChanged(frozen);
        foreach (var (_, child) in _children)
        {
            child.SetFrozen(frozen);
        }
    }

    /// <summary>Copies values into the named parameters; every parameter must be given with its exact size.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, float[]> values)
    {
        foreach (var (name, parameter) in NamedParameters())
        {
            if (!values.TryGetValue(name, out var source))
            {
                throw new KeyNotFoundException($"state dict has no parameter '{name}'");
            }
            if (source.Length != parameter.Length)
            {
                throw new ArgumentException($"parameter '{name}' has {parameter.Length} elements, state dict gives {source.Length}", nameof(values));
            }
            source.CopyTo(parameter.Data);
        }
        if (Frozen)
        {
            SetFrozen(true); // repack from the new values
        }
    }

    protected Tensor AddParameter(string name, params int[] shape)
    {
        var parameter = Tensor.CreatePersistent(shape, requiresGrad: true, name);
        _parameters.Add((name, parameter));
        return parameter;
    }

    protected T AddModule<T>(string name, T child)
        where T : Module
    {
        _children.Add((name, child));
        return child;
    }
}
