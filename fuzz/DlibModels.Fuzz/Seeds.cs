using DlibModels.Serialization;
using ICSharpCode.SharpZipLib.BZip2;
using StbImageWriteSharp;

namespace DlibModels.Fuzz;

/// <summary>
/// Writes one seed folder per target: small synthetic files made here, plus the smallest real
/// files of ../shared (decompressed models, images, imglab XML). Nothing written is committed.
/// </summary>
internal static class Seeds
{
    public static int Write(string outDir, string shared)
    {
        string D(string t)
        {
            string d = Path.Combine(outDir, t);
            Directory.CreateDirectory(d);
            return d;
        }

        // shape: a tiny 5-part, 2-level predictor (3 depth-2 trees per level), in dlib's layout.
        byte[] shape = TinyShapePredictor();
        File.WriteAllBytes(Path.Combine(D("shape"), "tiny5.dat"), shape);

        // hog: the embedded frontal face detector (5 filters) and a cut-down copy of one filter.
        using (var ms = new MemoryStream())
        {
            Detection.Hog.HogObjectDetector.FrontalFace.Save(ms);
            File.WriteAllBytes(Path.Combine(D("hog"), "frontal_face_detector.svm"), ms.ToArray());
        }

        // dnn: the smallest dlib-models DNN files, decompressed.
        foreach (string name in new[] { "mmod_human_face_detector.dat.bz2", "dnn_gender_classifier_v1.dat.bz2" })
        {
            string p = Path.Combine(shared, "models", name);
            if (File.Exists(p))
            {
                File.WriteAllBytes(Path.Combine(D("dnn"), name[..^4]), ModelFile.ReadAllBytes(p));
            }
        }

        // bz2: small streams compressed here, at two block sizes.
        string bz = D("bz2");
        File.WriteAllBytes(Path.Combine(bz, "tiny5.dat.bz2"), Bzip2(shape, 9));
        File.WriteAllBytes(Path.Combine(bz, "text.bz2"), Bzip2(System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("dlib bzip2 seed 0123456789 ", 40))), 1));
        File.WriteAllBytes(Path.Combine(bz, "empty.bz2"), Bzip2([], 1));

        // images: synthetic 23x17 colour and gray images in every format, plus small real files.
        byte[] rgb = new byte[23 * 17 * 3];
        byte[] gray = new byte[23 * 17];
        for (int y = 0; y < 17; y++)
        {
            for (int x = 0; x < 23; x++)
            {
                int i = (y * 23) + x;
                rgb[(3 * i) + 0] = (byte)(x * 11);
                rgb[(3 * i) + 1] = (byte)(y * 15);
                rgb[(3 * i) + 2] = (byte)((x ^ y) * 9);
                gray[i] = (byte)((x * 7) + (y * 5));
            }
        }

        var w = new ImageWriter();
        Save(D("jpeg"), "syn_rgb.jpg", s => w.WriteJpg(rgb, 23, 17, ColorComponents.RedGreenBlue, s, 75));
        Save(D("jpeg"), "syn_gray.jpg", s => w.WriteJpg(gray, 23, 17, ColorComponents.Grey, s, 90));
        Save(D("png"), "syn_rgb.png", s => w.WritePng(rgb, 23, 17, ColorComponents.RedGreenBlue, s));
        Save(D("png"), "syn_gray.png", s => w.WritePng(gray, 23, 17, ColorComponents.Grey, s));
        Save(D("bmp"), "syn_rgb.bmp", s => w.WriteBmp(rgb, 23, 17, ColorComponents.RedGreenBlue, s));
        Save(D("bmp"), "syn_gray.bmp", s => w.WriteBmp(gray, 23, 17, ColorComponents.Grey, s));
        CopySmallest(Path.Combine(shared, "images"), "*.jpg", D("jpeg"), 2, 30_000);
        CopySmallest(Path.Combine(shared, "images"), "*.png", D("png"), 2, 30_000);

        // imglab: the small dataset XML files.
        CopySmallest(shared, "*.xml", D("imglab"), 4, 20_000);

        foreach (string d in Directory.GetDirectories(outDir).Order(StringComparer.Ordinal))
        {
            Console.WriteLine($"{Path.GetFileName(d)}: {string.Join(", ", Directory.GetFiles(d).Select(f => $"{Path.GetFileName(f)} ({new FileInfo(f).Length} B)"))}");
        }

        return 0;
    }

    private static void Save(string dir, string name, Action<Stream> write)
    {
        using var f = File.Create(Path.Combine(dir, name));
        write(f);
    }

    private static void CopySmallest(string root, string pattern, string dest, int count, long maxBytes)
    {
        if (!Directory.Exists(root))
        {
            return;
        }

        foreach (FileInfo f in new DirectoryInfo(root).EnumerateFiles(pattern, SearchOption.AllDirectories)
                     .Where(f => f.Length <= maxBytes).OrderBy(f => f.Length).ThenBy(f => f.FullName, StringComparer.Ordinal).Take(count))
        {
            f.CopyTo(Path.Combine(dest, f.Name), overwrite: true);
        }
    }

    private static byte[] Bzip2(byte[] data, int level)
    {
        using var ms = new MemoryStream();
        using (var bz = new BZip2OutputStream(ms, level) { IsStreamOwner = false })
        {
            bz.Write(data, 0, data.Length);
        }

        return ms.ToArray();
    }

    /// <summary>A valid 5-part shape predictor, written field by field as dlib serializes one.</summary>
    internal static byte[] TinyShapePredictor()
    {
        const int parts = 5;
        const int len = parts * 2;
        using var ms = new MemoryStream();
        var w = new DlibWriter(ms);
        w.WriteInt(1);
        Column(w, len, i => 0.2f + (0.1f * i));
        w.WriteInt(2);
        for (int c = 0; c < 2; c++)
        {
            w.WriteInt(3);
            for (int t = 0; t < 3; t++)
            {
                w.WriteInt(3);
                for (int s = 0; s < 3; s++)
                {
                    w.WriteInt((s + t + c) % 4);
                    w.WriteInt((s + (2 * t) + 1) % 4);
                    w.WriteFloat(s - 1.5f);
                }

                w.WriteInt(4);
                for (int l = 0; l < 4; l++)
                {
                    Column(w, len, i => 0.01f * (l - i));
                }
            }
        }

        w.WriteInt(2);
        for (int c = 0; c < 2; c++)
        {
            w.WriteInt(4);
            for (int i = 0; i < 4; i++)
            {
                w.WriteInt((i + c) % parts);
            }
        }

        w.WriteInt(2);
        for (int c = 0; c < 2; c++)
        {
            w.WriteInt(4);
            for (int i = 0; i < 4; i++)
            {
                w.WriteFloat(0.05f * i);
                w.WriteFloat(-0.03f * i);
            }
        }

        return ms.ToArray();
    }

    private static void Column(DlibWriter w, int n, Func<int, float> value)
    {
        w.WriteInt(n);
        w.WriteInt(1);
        for (int i = 0; i < n; i++)
        {
            w.WriteFloat(value(i));
        }
    }
}
