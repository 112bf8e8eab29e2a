using DlibModels.Faces;
using DlibModels.Imaging;
using DlibModels.Randomness;
using DlibModels.Tests.Landmarks;

namespace DlibModels.Tests.Faces;

public class JitterTests
{
    [Fact]
    public void SameSeedGivesSameCropAndUsesTenDraws()
    {
        RgbImage chip = LandmarkGoldens.LoadDecoded("images/johns/John_Salley/000179_02159509.jpg");
        var r1 = new DlibRandom();
        var r2 = new DlibRandom();
        RgbImage a = Jitter.JitterImage(chip, r1);
        RgbImage b = Jitter.JitterImage(chip, r2);
        Assert.Equal(150, a.Rows);
        Assert.Equal(150, a.Cols);
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.NotEqual(chip.Pixels, a.Pixels);

        var reference = new DlibRandom();
        for (int i = 0; i < 10; i++)
        {
            reference.GetRandom32BitNumber();
        }

        Assert.Equal(reference.GetRandom32BitNumber(), r1.GetRandom32BitNumber());
    }

    [Fact]
    public void ConstantImageStaysConstantInside()
    {
        var img = new RgbImage(150, 150);
        Array.Fill(img.Pixels, (byte)200);
        var rnd = new DlibRandom();
        for (int n = 0; n < 10; n++)
        {
            RgbImage j = Jitter.JitterImage(img, rnd);
            // The centre is always covered by the source image.
            int o = ((75 * 150) + 75) * 3;
            Assert.InRange(j.Pixels[o], 199, 200);
        }
    }

    [Fact]
    public void RejectsNonSquare()
    {
        Assert.Throws<ArgumentException>(() => Jitter.JitterImage(new RgbImage(10, 12), new DlibRandom()));
    }
}
