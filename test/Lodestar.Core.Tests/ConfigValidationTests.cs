// A broken rule names the record, the field and its value; a kept rule throws nothing.
using Lodestar.Core;

namespace Lodestar.Core.Tests;

public sealed class ConfigValidationTests
{
    private sealed record SampleConfig(int Epochs, float Rate, string Name, int[] Sizes)
    {
        public SampleConfig Validate()
        {
            this.Require(Epochs >= 1, Epochs, "must be at least 1");
            this.Require(Rate > 0, Rate, "must be positive");
            this.Require(Name.Length > 0, Name, "must not be empty");
            this.Require(Sizes.All(s => s > 0), Sizes, "must all be positive");
            return this;
        }
    }

    [Fact]
    public void ABrokenRuleNamesRecordFieldValueAndRule()
    {
        var error = Assert.Throws<InvalidConfigException>(() => new SampleConfig(0, 0.5f, "a", [1]).Validate());
        Assert.Equal("SampleConfig.Epochs = 0: must be at least 1", error.Message);
        Assert.Equal(("SampleConfig", "Epochs", "0"), (error.Record, error.Field, error.Value));
        Assert.Equal("SampleConfig.Rate = -1.5: must be positive", Assert.Throws<InvalidConfigException>(() => new SampleConfig(1, -1.5f, "a", [1]).Validate()).Message);
        Assert.Equal("SampleConfig.Name = \"\": must not be empty", Assert.Throws<InvalidConfigException>(() => new SampleConfig(1, 1, "", [1]).Validate()).Message);
        Assert.Equal("SampleConfig.Sizes = [4, -2]: must all be positive", Assert.Throws<InvalidConfigException>(() => new SampleConfig(1, 1, "a", [4, -2]).Validate()).Message);
    }

    [Fact]
    public void AValidRecordPasses()
    {
        var config = new SampleConfig(3, 0.1f, "ok", [1, 2]);
        Assert.Same(config, config.Validate());
    }
}
