using System.Text.Json;
using DlibModels.Randomness;
using DlibModels.Tests.Landmarks;

namespace DlibModels.Tests.Randomness;

public class DlibRandomTests
{
    [Fact]
    public void DefaultSeedMatchesDlib()
    {
        using JsonDocument doc = LandmarkGoldens.Load("rand_default_seed.json");
        JsonElement r = doc.RootElement.GetProperty("results")[0];
        Assert.Equal(string.Empty, r.GetProperty("seed").GetString());

        var rnd = new DlibRandom();
        foreach (JsonElement v in r.GetProperty("get_random_32bit_number").EnumerateArray())
        {
            Assert.Equal(v.GetUInt32(), rnd.GetRandom32BitNumber());
        }

        rnd = new DlibRandom();
        foreach (JsonElement v in r.GetProperty("get_random_double").EnumerateArray())
        {
            Assert.Equal(v.GetDouble(), rnd.GetRandomDouble());
        }

        rnd = new DlibRandom();
        foreach (JsonElement v in r.GetProperty("get_random_gaussian").EnumerateArray())
        {
            double got = rnd.GetRandomGaussian();
            Assert.Equal(v.GetDouble(), got);
        }
    }

    [Fact]
    public void ReseedingRestartsTheSequence()
    {
        var a = new DlibRandom("hello");
        uint first = a.GetRandom32BitNumber();
        a.GetRandomGaussian();
        a.SetSeed("hello");
        Assert.Equal(first, a.GetRandom32BitNumber());
        Assert.Equal("hello", a.Seed);
        Assert.NotEqual(first, new DlibRandom().GetRandom32BitNumber());
        Assert.Equal(new DlibRandom("12").GetRandom32BitNumber(), new DlibRandom(12).GetRandom32BitNumber());
    }

    [Fact]
    public void RangesStayInBounds()
    {
        var r = new DlibRandom();
        for (int i = 0; i < 10000; i++)
        {
            long v = r.GetIntegerInRange(-3, 7);
            Assert.InRange(v, -3, 6);
            double d = r.GetRandomDouble();
            Assert.InRange(d, 0, 1 - 1e-17);
            float f = r.GetRandomFloat();
            Assert.True(f >= 0 && f < 1);
        }

        Assert.Equal(5, r.GetIntegerInRange(5, 5));
    }
}
