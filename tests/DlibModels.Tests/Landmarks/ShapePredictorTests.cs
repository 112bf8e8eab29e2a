using System.Diagnostics;
using System.Text;
using System.Text.Json;
using DlibModels.Imaging;
using DlibModels.Landmarks;
using DlibModels.Serialization;
using DlibModels.Tests.Support;
using Xunit.Abstractions;

namespace DlibModels.Tests.Landmarks;

public class ShapePredictorTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData("landmarks_68_hog_up0.json")]
    [InlineData("landmarks_68_mmod_up0.json")]
    [InlineData("landmarks_5_hog_up0.json")]
    [InlineData("landmarks_5_mmod_up0.json")]
    public void PartsMatchDlibExactly(string golden)
    {
        string modelField = GetModelField(golden);
        Skip.IfNot(File.Exists(TestPaths.SharedFile(modelField)), $"{modelField} not found");
        ShapePredictor sp = LandmarkGoldens.ForFile(modelField);
        using JsonDocument doc = LandmarkGoldens.Load(golden);
        int faces = 0, badFaces = 0, badParts = 0;
        var msg = new StringBuilder();
        var sw = new Stopwatch();
        foreach (JsonElement result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            Assert.Equal(0, result.GetProperty("upsampled").GetInt32());
            JsonElement facesEl = result.GetProperty("faces");
            if (facesEl.GetArrayLength() == 0)
            {
                continue;
            }

            RgbImage img = LandmarkGoldens.LoadDecoded(result.GetProperty("image").GetString()!);
            int fi = 0;
            foreach (JsonElement face in facesEl.EnumerateArray())
            {
                Rectangle rect = LandmarkGoldens.Rect(face.GetProperty("rect"));
                Point[] expected = LandmarkGoldens.Parts(face.GetProperty("parts"));
                sw.Start();
                FullObjectDetection det = sp.Predict(img, rect);
                sw.Stop();
                Assert.Equal(expected.Length, det.NumParts);
                int bad = 0;
                for (int k = 0; k < expected.Length; k++)
                {
                    if (expected[k] != det.Part(k))
                    {
                        bad++;
                        if (badParts + bad <= 10)
                        {
                            msg.AppendLine($"{result.GetProperty("image").GetString()} face {fi} part {k}: expected {expected[k]}, got {det.Part(k)}");
                        }
                    }
                }

                faces++;
                badParts += bad;
                badFaces += bad > 0 ? 1 : 0;
                fi++;
            }
        }

        output.WriteLine($"{golden}: {faces} faces, {badFaces} faces with differences, {badParts} parts differ; {sw.Elapsed.TotalMilliseconds / Math.Max(1, faces):F3} ms/face (first call includes JIT)");
        Assert.True(faces > 0);
        Assert.True(badParts == 0, msg.ToString());
    }

    [SkippableTheory]
    [InlineData("shape_predictor_68_face_landmarks.dat.bz2")]
    [InlineData("standin/shape_predictor_5_face_landmarks.standin.dat.bz2")]
    public void WriteIsByteIdenticalToTheFile(string model)
    {
        string path = TestPaths.Model(model);
        byte[] original = ModelFile.ReadAllBytes(path);
        ShapePredictor sp = model.Contains("68", StringComparison.Ordinal) ? LandmarkGoldens.Sp68.Value : LandmarkGoldens.Sp5.Value;
        byte[] written = sp.ToBytes();
        Assert.Equal(original.Length, written.Length);
        Assert.True(original.AsSpan().SequenceEqual(written), "written bytes differ from the file");
    }

    [SkippableFact]
    public void ModelShapes()
    {
        ShapePredictor sp68 = LandmarkGoldens.Sp68.Value;
        Assert.Equal(68, sp68.NumParts);
        Assert.Equal(15, sp68.NumCascades);
        Assert.Equal(15 * 500, sp68.NumTrees);
        ShapePredictor sp5 = LandmarkGoldens.Sp5.Value;
        Assert.Equal(5, sp5.NumParts);
    }

    [SkippableFact]
    public void TruncatedFileThrowsDlibFormatException()
    {
        byte[] original = ModelFile.ReadAllBytes(TestPaths.Model("standin/shape_predictor_5_face_landmarks.standin.dat.bz2"));
        foreach (int len in new[] { 0, 1, 5, 100, original.Length / 2, original.Length - 1 })
        {
            var reader = new DlibReader(original[..len], "truncated.dat");
            var ex = Assert.Throws<DlibFormatException>(() => ShapePredictor.Read(reader));
            Assert.Contains("truncated.dat", ex.Message, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public void TrailingBytesAreRejectedByLoad()
    {
        byte[] original = ModelFile.ReadAllBytes(TestPaths.Model("standin/shape_predictor_5_face_landmarks.standin.dat.bz2"));
        var reader = new DlibReader([.. original, 1, 2], "extra.dat");
        ShapePredictor.Read(reader);
        Assert.Throws<DlibFormatException>(reader.RequireEnd);
    }

    [Fact]
    public void WrongVersionThrows()
    {
        var reader = new DlibReader([0x01, 0x02], "v2.dat");
        Assert.Throws<DlibFormatException>(() => ShapePredictor.Read(reader));
    }

    /// <summary>
    /// Complete trees are walked eight at a time with the leaves added while later trees are walked;
    /// the floats equal those of the plain walk (one tree at a time, then all leaves in order).
    /// </summary>
    [SkippableFact]
    public void InterleavedTreeWalkGivesThePlainWalksFloats()
    {
        RgbImage rgb = LandmarkGoldens.LoadDecoded("images/faces/bald_guys.jpg");
        Rectangle[] boxes = [new(200, 300, 330, 430), new(900, 250, 1010, 360), new(-30, 1400, 100, 1560), new(1500, 700, 1525, 726)];
        foreach (ShapePredictor sp in new[] { LandmarkGoldens.Sp5.Value, LandmarkGoldens.Sp68.Value })
        {
            foreach (Rectangle box in boxes)
            {
                float[] plain = sp.PredictNormalized(rgb, box, uniformWalk: false);
                float[] interleaved = sp.PredictNormalized(rgb, box, uniformWalk: true);
                Assert.Equal(Array.ConvertAll(plain, BitConverter.SingleToInt32Bits), Array.ConvertAll(interleaved, BitConverter.SingleToInt32Bits));
                Assert.Contains(plain, v => v != 0f);
            }
        }
    }

    [SkippableFact]
    public void GrayAndRgbAgreeOnGrayInput()
    {
        ShapePredictor sp = LandmarkGoldens.Sp5.Value;
        RgbImage rgb = LandmarkGoldens.LoadDecoded("images/faces/2008_001322.jpg");
        GrayImage gray = GrayImage.FromRgb(rgb);
        var rect = new Rectangle(342, 146, 446, 250);
        FullObjectDetection a = sp.Predict(rgb, rect);
        FullObjectDetection b = sp.Predict(gray, rect);
        Assert.Equal(a.Parts, b.Parts);
    }

    private static string GetModelField(string golden)
    {
        using JsonDocument doc = LandmarkGoldens.Load(golden);
        return doc.RootElement.GetProperty("shape_predictor").GetString()!;
    }
}
