using DlibModels.ImageIO;
using DlibModels.Imaging;

namespace DlibModels.Tests.ImageIO;

/// <summary>
/// Synthetic PNGs (generated at test time, see <see cref="SyntheticPngs"/>) load to the pixels
/// dlib 19.24 gives, both as RGB and as gray: palette, tRNS, alpha, 16-bit and low bit depths.
/// </summary>
public class SyntheticPngTests
{
    /// <summary>name → RGB (rows, cols, sums, fnv) and gray (sum, fnv) from dlibref.</summary>
    private static readonly Dictionary<string, (int Rows, int Cols, long R, long G, long B, string Fnv, long GraySum, string GrayFnv)> Expected = new()
    {
        ["ct0_bd16_il0_t0"] = (13, 23, 55566, 55566, 55566, "6db631e3dd790145", 55566, "3b56cae82b6c8c85"),
        ["ct0_bd16_il0_t1"] = (13, 23, 57672, 57672, 57672, "00b4f9b2665a5b45", 57672, "159e22611b01536d"),
        ["ct0_bd16_il1_t0"] = (13, 23, 55775, 55775, 55775, "fdf51f7a1f767ab4", 55775, "c0fb9a51a6c82556"),
        ["ct0_bd16_il1_t1"] = (13, 23, 54812, 54812, 54812, "721ca4f63bdc7891", 54812, "4b13c94d77e10789"),
        ["ct0_bd1_il0_t0"] = (13, 23, 42585, 42585, 42585, "9726b18dd3d28534", 42585, "7ed293a467e8c4e2"),
        ["ct0_bd1_il0_t1"] = (13, 23, 48195, 48195, 48195, "fb594390715ae618", 48195, "1c2ca26067961d9e"),
        ["ct0_bd1_il1_t0"] = (13, 23, 41055, 41055, 41055, "8ca02c8c439581da", 41055, "084e20e8d328d7c4"),
        ["ct0_bd1_il1_t1"] = (13, 23, 47685, 47685, 47685, "60712f0b31bde1c2", 47685, "4dd757ffa93778bc"),
        ["ct0_bd2_il0_t0"] = (13, 23, 46155, 46155, 46155, "bd24f1ce18ba3be8", 46155, "58d0d3cf23a1e812"),
        ["ct0_bd2_il0_t1"] = (13, 23, 47685, 47685, 47685, "d51b31c3844d7252", 47685, "55b2c350a2a0eda8"),
        ["ct0_bd2_il1_t0"] = (13, 23, 44540, 44540, 44540, "33b4b59d30394e81", 44540, "39272489257c0745"),
        ["ct0_bd2_il1_t1"] = (13, 23, 44285, 44285, 44285, "216ad61b2c96e28a", 44285, "0a68572ee24141a8"),
        ["ct0_bd4_il0_t0"] = (13, 23, 46121, 46121, 46121, "cca1740e62373868", 46121, "be77a9b8a00a757a"),
        ["ct0_bd4_il0_t1"] = (13, 23, 45560, 45560, 45560, "7f9a28e50c876d33", 45560, "34ba754305e88d9b"),
        ["ct0_bd4_il1_t0"] = (13, 23, 46223, 46223, 46223, "ce5483a2bda11452", 46223, "6536f83201b04968"),
        ["ct0_bd4_il1_t1"] = (13, 23, 45883, 45883, 45883, "cc68bb56c8f63638", 45883, "3ed8cc5077c9d092"),
        ["ct0_bd8_il0_t0"] = (13, 23, 45942, 45942, 45942, "0c733de7ff21fb99", 45942, "250252feabbb3d85"),
        ["ct0_bd8_il0_t1"] = (13, 23, 46514, 46514, 46514, "8e15d9bb328cbc3b", 46514, "15fbd2e71e5f818f"),
        ["ct0_bd8_il1_t0"] = (13, 23, 43954, 43954, 43954, "122f6d57683f56c3", 43954, "a8ecea6a24eaa2c7"),
        ["ct0_bd8_il1_t1"] = (13, 23, 47160, 47160, 47160, "fbc006203ee2d7bf", 47160, "517f4857c79f4e5f"),
        ["ct2_bd16_il0_t0"] = (13, 23, 45169, 47470, 45958, "4a7dd311eb7c277a", 46109, "25d53e95a7b7a02e"),
        ["ct2_bd16_il0_t1"] = (13, 23, 44881, 45380, 44458, "4aadccf321a70126", 44812, "674cb354de239eff"),
        ["ct2_bd16_il1_t0"] = (13, 23, 46387, 46971, 45792, "ea0f43239a3dfa1d", 46291, "98afcbbad9979228"),
        ["ct2_bd16_il1_t1"] = (13, 23, 44765, 46225, 46391, "822ec9248cddcedc", 45698, "c9d2bd298bade291"),
        ["ct2_bd8_il0_t0"] = (13, 23, 45056, 47776, 46295, "98e1ed77a610f60c", 46282, "55a4b66804641eb1"),
        ["ct2_bd8_il0_t1"] = (13, 23, 48607, 49124, 44412, "00e87cfaa1fc352e", 47279, "8700d220214085de"),
        ["ct2_bd8_il1_t0"] = (13, 23, 46422, 45459, 45136, "c1004fe7d683085e", 45576, "685899ae9fc396cb"),
        ["ct2_bd8_il1_t1"] = (13, 23, 48166, 47029, 42167, "5f406e2d4aaa0699", 45698, "ab9096fe58b0950f"),
        ["ct3_bd1_il0_t0"] = (13, 23, 41561, 39869, 35156, "84ddfc52633df837", 38862, "238a5da6d16c6eeb"),
        ["ct3_bd1_il0_t1"] = (13, 23, 9070, 9061, 5608, "d44a4cefb2ed22f4", 7910, "29f29b7651f95625"),
        ["ct3_bd1_il1_t0"] = (13, 23, 59018, 43512, 51709, "2569da44992ac504", 51413, "4503994a5ea84aae"),
        ["ct3_bd1_il1_t1"] = (13, 23, 16198, 41345, 26977, "527e4282060a4cb7", 28273, "adf36e95b3ccbe7c"),
        ["ct3_bd2_il0_t0"] = (13, 23, 38330, 58582, 26922, "1afa537fdfabd255", 41174, "2588046941288de5"),
        ["ct3_bd2_il0_t1"] = (13, 23, 35381, 26269, 20665, "47fddcb930866a6e", 27388, "964427bf0b3608e3"),
        ["ct3_bd2_il1_t0"] = (13, 23, 43968, 29548, 34605, "3b270d701e466232", 36016, "cd649911fcbf8121"),
        ["ct3_bd2_il1_t1"] = (13, 23, 30204, 32275, 36954, "3787817a3f02aea8", 33150, "70c966a095bd6179"),
        ["ct3_bd4_il0_t0"] = (13, 23, 45252, 40283, 35607, "7a1697a084092fd9", 40258, "2f51a3135df9ae75"),
        ["ct3_bd4_il0_t1"] = (13, 23, 28955, 27688, 31143, "927b8ff0b2a87a7f", 29220, "e4ed4178a78b287b"),
        ["ct3_bd4_il1_t0"] = (13, 23, 37594, 33748, 39319, "113bf9d58cbffc54", 36792, "d2e4cb7321c9ed15"),
        ["ct3_bd4_il1_t1"] = (13, 23, 19238, 38138, 23101, "e98a40f66e1e2e0a", 26788, "c1f9a9111553e763"),
        ["ct3_bd8_il0_t0"] = (13, 23, 39881, 39529, 37906, "287deb472415c681", 38998, "70b8e85bd144aa05"),
        ["ct3_bd8_il0_t1"] = (13, 23, 35756, 39215, 36354, "6bad0190a2fd2544", 37015, "ba8b147e8b3dca2a"),
        ["ct3_bd8_il1_t0"] = (13, 23, 36992, 37339, 38546, "466067ef45ec7fe0", 37529, "d6e9ebac41195fc2"),
        ["ct3_bd8_il1_t1"] = (13, 23, 36980, 37999, 37739, "9b8214310929d5f5", 37477, "27b6bb371880ffce"),
        ["ct4_bd16_il0_t0"] = (13, 23, 58818, 58818, 58818, "7de24dcc93bb84db", 58818, "3fbc3af4ae684353"),
        ["ct4_bd16_il1_t0"] = (13, 23, 55134, 55134, 55134, "40fa451c66e0c2b7", 55134, "c49346e48abd2fab"),
        ["ct4_bd8_il0_t0"] = (13, 23, 49052, 49052, 49052, "d29db8e3a3aac3ab", 49052, "e28807f1b61c16ab"),
        ["ct4_bd8_il1_t0"] = (13, 23, 45291, 45291, 45291, "c31ab75ae3de6db8", 45291, "8f9aaeb3b17211be"),
        ["ct6_bd16_il0_t0"] = (13, 23, 30047, 28205, 29023, "cfec46b0026e7ab0", 29068, "18f35c39531f1571"),
        ["ct6_bd16_il1_t0"] = (13, 23, 26795, 25223, 27568, "24ec6b6bc620d959", 26530, "4733caea7c9e77d3"),
        ["ct6_bd8_il0_t0"] = (13, 23, 27198, 26871, 26269, "4cd6af4e8b393ee7", 26779, "24a13c8ec7ad9550"),
        ["ct6_bd8_il1_t0"] = (13, 23, 26833, 29170, 25939, "909ed5b9f02fdc41", 27302, "34a5b77d4bcc46c5"),
    };

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (SyntheticPngs.Spec s in SyntheticPngs.All())
        {
            data.Add(s.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void LoadsLikeDlib(string name)
    {
        SyntheticPngs.Spec spec = SyntheticPngs.All().Single(s => s.Name == name);
        byte[] png = SyntheticPngs.Encode(spec);
        Assert.True(Expected.ContainsKey(name), $"no expected checksum for {name}");
        var e = Expected[name];

        RgbImage img = ImageFile.LoadRgb(png, name + ".png");
        Assert.Equal(e.Rows, img.Rows);
        Assert.Equal(e.Cols, img.Cols);
        Assert.Equal((e.R, e.G, e.B), ImageChecksums.SumRgb(img));
        Assert.Equal(e.Fnv, ImageChecksums.ToHex(ImageChecksums.Fnv1a64(img)));

        GrayImage gray = ImageFile.LoadGray(png, name + ".png");
        Assert.Equal(e.GraySum, ImageChecksums.SumGray(gray));
        Assert.Equal(e.GrayFnv, ImageChecksums.ToHex(ImageChecksums.Fnv1a64(gray)));
    }
}
