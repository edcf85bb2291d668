// Companies and job postings: the supply side of job matching.
namespace Lodestar.Data.Schema;

/// <summary>An employer. <c>Size</c> is the employee-count band, e.g. "51-200".</summary>
public sealed record Company(long Id, string Name, string Industry, Location Headquarters, string Size);

/// <summary>A hard requirement a candidate must meet: <c>Kind</c> is "licence", "certification" or
/// "work_authorisation"; <c>Value</c> the credential name or the country code.</summary>
public sealed record HardRequirement(string Kind, string Value);

/// <summary>A job posting. <c>Days</c> count from the world's start date.</summary>
public sealed record Job(
    long Id,
    long CompanyId,
    string Title,
    int OccupationId,
    string Description,
    IReadOnlyList<string> RequiredSkills,
    IReadOnlyList<string> NiceToHaveSkills,
    Seniority Seniority,
    Location Location,
    WorkplaceType Workplace,
    string Industry,
    IReadOnlyList<HardRequirement> HardRequirements,
    int PostedDay);
