using DlibModels.ImageIO;
using DlibModels.Imaging;

namespace DlibModels.Tests.ImageIO;

/// <summary>
/// Synthetic JPEGs (generated at test time, see <see cref="SyntheticJpegs"/>) decode to the
/// checksums dlib 19.24 gave for the same files.
/// </summary>
public class SyntheticJpegTests
{
    /// <summary>name → (rows, cols, sum r, g, b, fnv1a64) from <c>dlibref decode</c>.</summary>
    private static readonly Dictionary<string, (int Rows, int Cols, long R, long G, long B, string Fnv)> Expected = new()
    {
        ["chroma_bigger_19x17"] = (17, 19, 54935, 26740, 43409, "0e3e03b994be4f19"),
        ["gray_37x23"] = (23, 37, 108373, 108373, 108373, "ca3c5460c5746dc2"),
        ["grayprog_37x23"] = (23, 37, 108373, 108373, 108373, "ca3c5460c5746dc2"),
        ["mixed_420_440_21x19"] = (19, 21, 68044, 34065, 53992, "3f187dace953a196"),
        ["mixed_422_411_21x19"] = (19, 21, 68016, 34020, 53894, "3ad2323b35f08ea9"),
        ["prog420_41x29"] = (29, 41, 200922, 99314, 152046, "355cf6b361961363"),
        ["prog440_41x29"] = (29, 41, 201049, 99259, 152479, "5d47a54140d8ba5e"),
        ["q100_420_65x49"] = (49, 65, 538750, 270590, 403939, "ebd5bac1d3b9a16c"),
        ["q10_422_65x49"] = (49, 65, 529413, 273726, 404056, "98c1366969fbfcfa"),
        ["rgb_444_37x23"] = (23, 37, 143319, 72732, 109910, "9247470d877ff278"),
        ["rst1_420_41x29"] = (29, 41, 200922, 99314, 152046, "355cf6b361961363"),
        ["rstrow_444_41x29"] = (29, 41, 200711, 99738, 151734, "40dd26293246e006"),
        ["s411_37x23"] = (23, 37, 142476, 72756, 109984, "ca7425bc580e812d"),
        ["s420_1x1"] = (1, 1, 255, 0, 4, "6ca1e44f183a5508"),
        ["s420_37x23"] = (23, 37, 143125, 72791, 109664, "1c500d5408815271"),
        ["s420_3x5"] = (5, 3, 3384, 760, 420, "c32c828a5a43826f"),
        ["s420_4x9"] = (9, 4, 6632, 3903, 1641, "506e5a7df95abb85"),
        ["s420_5x3"] = (3, 5, 3814, 12, 389, "535c2b2c2a979df8"),
        ["s422_37x23"] = (23, 37, 143105, 72750, 109864, "79fc8b5a61dbf8f8"),
        ["s422_4x6"] = (6, 4, 5143, 1910, 774, "67405b705daf28b4"),
        ["s422_5x6"] = (6, 5, 6369, 2296, 1195, "a4af6360306954df"),
        ["s440_37x23"] = (23, 37, 143204, 72685, 110118, "8be4f9146505e798"),
        ["s440_6x1"] = (1, 6, 1526, 17, 136, "d14a009f831f0da2"),
        ["s444_37x23"] = (23, 37, 142872, 72970, 109782, "7dca53c3590d3a3d"),
        ["s4x2_35x21"] = (21, 35, 123487, 62901, 92749, "0c0e4f15cb38dbce"),
    };

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (SyntheticJpegs.Spec s in SyntheticJpegs.All)
        {
            data.Add(s.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void DecodesLikeDlib(string name)
    {
        SyntheticJpegs.Spec spec = SyntheticJpegs.All.Single(s => s.Name == name);
        byte[] jpg = SyntheticJpegs.Encode(spec);
        RgbImage img = ImageFile.LoadRgb(jpg, name + ".jpg");
        Assert.True(Expected.ContainsKey(name), $"no expected checksum for {name}");
        var e = Expected[name];
        Assert.Equal(e.Rows, img.Rows);
        Assert.Equal(e.Cols, img.Cols);
        Assert.Equal((e.R, e.G, e.B), ImageChecksums.SumRgb(img));
        Assert.Equal(e.Fnv, ImageChecksums.ToHex(ImageChecksums.Fnv1a64(img)));

        GrayImage gray = ImageFile.LoadGray(jpg, name + ".jpg");
        Assert.Equal(ImageChecksums.Fnv1a64(GrayImage.FromRgb(img)), ImageChecksums.Fnv1a64(gray));
    }
}
