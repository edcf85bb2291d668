// The occupation and skill vocabularies a world was built from (ESCO or Lodestar's built-in one),
// written beside the data so ids in records resolve to labels.
namespace Lodestar.Data.Schema;

/// <summary>An occupation: <c>Label</c> is the preferred title, <c>AltTitles</c> alternative titles,
/// <c>Group</c> a coarse family (ESCO: ISCO major-group code; built-in: a family name),
/// <c>Skills</c> the skills typical for it.</summary>
public sealed record Occupation(
    int Id,
    string Label,
    IReadOnlyList<string> AltTitles,
    string Group,
    string Industry,
    IReadOnlyList<string> Skills,
    string Source);
