// The lines an audit flags at, fixed before any model is audited, and why each sits where it does.
namespace Lodestar.Evaluation.Fairness;

public sealed record FairnessThresholds
{
    /// <summary>
    /// A group whose exposure is below this share of its merit-order exposure is flagged: the four-fifths rule of
    /// disparate impact (US EEOC, 1978), read on exposure instead of selection rates.
    /// </summary>
    public double ExposureRatioLow { get; init; } = 0.8;

    /// <summary>The same rule the other way (1 / 0.8): a group shown a quarter more than its merit earns is favoured.</summary>
    public double ExposureRatioHigh { get; init; } = 1.25;

    /// <summary>Groups with fewer shown items are reported but not flagged: their ratio is mostly noise.</summary>
    public long MinimumItems { get; init; } = 200;

    /// <summary>
    /// A representation is flagged for an attribute when its probe's 95% lower bound clears the better of chance and
    /// the member's professional signals (years of experience, seniority) by more than this AUC: it carries more of
    /// the attribute than what the member's professional record already tells.
    /// </summary>
    public double ProbeMargin { get; init; } = 0.05;

    /// <summary>Attribute values with fewer members on either side are not probed.</summary>
    public int MinimumClass { get; init; } = 30;

    public bool ExposureFlagged(GroupExposure group) =>
        group.Items >= MinimumItems && (group.TargetRatio < ExposureRatioLow || group.TargetRatio > ExposureRatioHigh);

    public bool ProbeFlagged(ProbeResult probe, ProbeResult reference) => probe.Low > Math.Max(0.5, reference.Auc) + ProbeMargin;

    /// <summary>The member groups (at least <see cref="MinimumClass"/> members) whose shown or apply ratio leaves the exposure band: "gender shown: female 0.71".</summary>
    public IEnumerable<string> OutcomeFlags(string attribute, IEnumerable<MemberGroupOutcome> groups)
    {
        foreach (var group in groups.Where(g => g.Members >= MinimumClass))
        {
            foreach (var (figure, ratio) in new[] { ("shown", group.ShownRatio), ("apply", group.ApplyRatio) })
            {
                if (ratio < ExposureRatioLow || ratio > ExposureRatioHigh)
                {
                    yield return FormattableString.Invariant($"{attribute} {figure}: {group.Group} {ratio:F2}");
                }
            }
        }
    }
}
