// A member's public profile: what models may read. Latent interests and protected attributes are NOT
// here; they live in the ground-truth and audit files (see GroundTruth/), which no model reads.
namespace Lodestar.Data.Schema;

/// <summary>A place: city, region (state/province) and ISO 3166-1 alpha-2 country code.</summary>
public sealed record Location(string City, string Region, string Country);

/// <summary>One completed degree.</summary>
public sealed record Education(DegreeLevel Degree, string Field, string School, int GraduationYear);

/// <summary>One position in a work history; <c>EndDay</c> is null for the current position.
/// Days are counted from the world's start date (negative = before the simulation began).</summary>
public sealed record Position(
    string Title,
    int OccupationId,
    long? CompanyId,
    string CompanyName,
    string Industry,
    Seniority Seniority,
    int StartDay,
    int? EndDay);

/// <summary>A member profile. <c>WorkHistory</c> is chronological (oldest first); the last entry is the current position.
/// <c>Credentials</c> holds licences and certifications, <c>WorkAuthorisations</c> the country codes the member may work in;
/// both are checked against a job's hard requirements.</summary>
public sealed record Member(
    long Id,
    string Headline,
    string CurrentTitle,
    int OccupationId,
    Seniority Seniority,
    int YearsOfExperience,
    IReadOnlyList<string> Skills,
    string Industry,
    Location Location,
    WorkplaceType RemotePreference,
    IReadOnlyList<Education> Education,
    IReadOnlyList<Position> WorkHistory,
    IReadOnlyList<string> Credentials,
    IReadOnlyList<string> WorkAuthorisations,
    ActivityLevel ActivityLevel,
    int JoinDay);
