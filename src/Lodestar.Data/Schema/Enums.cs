// Closed vocabularies shared by every record of the Lodestar data schema, serialised as stable
// snake_case strings so files stay readable and survive reordering of the enum members.
using System.Text.Json.Serialization;

namespace Lodestar.Data.Schema;

/// <summary>Career level, ordered from least to most senior (the order is used by seniority-distance metrics).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Seniority>))]
public enum Seniority
{
    [JsonStringEnumMemberName("intern")] Intern,
    [JsonStringEnumMemberName("entry")] Entry,
    [JsonStringEnumMemberName("associate")] Associate,
    [JsonStringEnumMemberName("mid_senior")] MidSenior,
    [JsonStringEnumMemberName("director")] Director,
    [JsonStringEnumMemberName("executive")] Executive,
}

/// <summary>Where a member wants to work, or where a job may be done.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WorkplaceType>))]
public enum WorkplaceType
{
    [JsonStringEnumMemberName("on_site")] OnSite,
    [JsonStringEnumMemberName("hybrid")] Hybrid,
    [JsonStringEnumMemberName("remote")] Remote,
}

/// <summary>How much a member uses the network; <see cref="New"/> members have a profile and no history (cold start).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ActivityLevel>))]
public enum ActivityLevel
{
    [JsonStringEnumMemberName("heavy")] Heavy,
    [JsonStringEnumMemberName("regular")] Regular,
    [JsonStringEnumMemberName("occasional")] Occasional,
    [JsonStringEnumMemberName("dormant")] Dormant,
    [JsonStringEnumMemberName("new")] New,
}

/// <summary>The format of a feed post.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PostFormat>))]
public enum PostFormat
{
    [JsonStringEnumMemberName("text")] Text,
    [JsonStringEnumMemberName("article")] Article,
    [JsonStringEnumMemberName("image")] Image,
    [JsonStringEnumMemberName("video")] Video,
    [JsonStringEnumMemberName("poll")] Poll,
}

/// <summary>What a member did with a job posting.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobAction>))]
public enum JobAction
{
    [JsonStringEnumMemberName("view")] View,
    [JsonStringEnumMemberName("apply")] Apply,
    [JsonStringEnumMemberName("dismiss")] Dismiss,
}

/// <summary>Highest completed degree, ordered.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DegreeLevel>))]
public enum DegreeLevel
{
    [JsonStringEnumMemberName("secondary")] Secondary,
    [JsonStringEnumMemberName("vocational")] Vocational,
    [JsonStringEnumMemberName("bachelor")] Bachelor,
    [JsonStringEnumMemberName("master")] Master,
    [JsonStringEnumMemberName("doctorate")] Doctorate,
}
