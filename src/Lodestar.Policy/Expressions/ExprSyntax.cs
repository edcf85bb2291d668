// The syntax tree of policy expressions (the machine-checkable part of a policy dimension or gate),
// with the character offset of every node so errors point at the exact column in the YAML file.
namespace Lodestar.Policy.Expressions;

/// <summary>A node of a parsed expression; <see cref="Offset"/> is its first character in the source text.</summary>
public abstract record ExprNode(int Offset);

public sealed record NumberLiteral(int Offset, double Value) : ExprNode(Offset);

public sealed record TextLiteral(int Offset, string Value) : ExprNode(Offset);

public sealed record BoolLiteral(int Offset, bool Value) : ExprNode(Offset);

/// <summary>A dotted name such as <c>member.skills</c>, or a bare name such as a dimension id in a gate.</summary>
public sealed record NameRef(int Offset, string Name) : ExprNode(Offset);

public sealed record Call(int Offset, string Function, IReadOnlyList<ExprNode> Arguments) : ExprNode(Offset);

public sealed record Unary(int Offset, string Operator, ExprNode Operand) : ExprNode(Offset);

public sealed record Binary(int Offset, string Operator, ExprNode Left, ExprNode Right) : ExprNode(Offset);

/// <summary>A syntax or type error at a character offset of the expression text.</summary>
public sealed class ExprException(int offset, string message) : Exception(message)
{
    public int Offset { get; } = offset;
}
