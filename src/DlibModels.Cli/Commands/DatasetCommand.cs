using System.CommandLine;
using System.Text.Json;
using DlibModels.Datasets;
using DlibModels.ImageIO;
using DlibModels.Imaging;

namespace DlibModels.Cli.Commands;

/// <summary><c>dlib-models dataset stats|flip|split|convert</c>: imglab-style dataset tools.</summary>
internal static class DatasetCommand
{
    public static Command Create()
    {
        var command = new Command("dataset", "Inspect and transform imglab XML datasets (as dlib's imglab tool).");
        command.Subcommands.Add(CreateStats());
        command.Subcommands.Add(CreateFlip());
        command.Subcommands.Add(CreateSplit());
        command.Subcommands.Add(CreateConvert());
        return command;
    }

    private static ImageDataset? Load(string path, string me)
    {
        try
        {
            return ImglabXml.Load(path);
        }
        catch (Exception e) when (e is IOException or ImglabFormatException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"{me}: {e.Message}");
            return null;
        }
    }

    /// <summary>The dataset with image paths rewritten relative to <paramref name="outDir"/>.</summary>
    private static ImageDataset Rebase(ImageDataset d, string outDir)
    {
        ImageDataset r = d.Clone();
        string full = Path.GetFullPath(outDir);
        foreach (DatasetImage img in r.Images)
        {
            img.File = Path.GetRelativePath(full, Path.GetFullPath(d.ResolvePath(img))).Replace('\\', '/');
        }

        r.BaseDirectory = full;
        return r;
    }

    private static string? Stylesheet(ImageDataset d) => d.BaseDirectory is null ? null : Path.Combine(d.BaseDirectory, "image_metadata_stylesheet.xsl");

    private static void Save(ImageDataset source, ImageDataset d, string path)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        ImglabXml.Save(Rebase(d, dir), path, Stylesheet(source));
    }

    private static Command CreateStats()
    {
        var xml = new Argument<string>("DATASET") { Description = "imglab XML file." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("stats", "Count images, boxes, labels and parts of a dataset.") { xml, json };
        command.SetAction(parse =>
        {
            ImageDataset? d = Load(parse.GetValue(xml)!, "dlib-models dataset stats");
            if (d is null)
            {
                return 1;
            }

            DatasetStats s = DatasetTransforms.Stats(d);
            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                using (var w = new Utf8JsonWriter(stdout))
                {
                    w.WriteStartObject();
                    w.WriteString("name", d.Name);
                    w.WriteNumber("images", s.Images);
                    w.WriteNumber("empty_images", s.EmptyImages);
                    w.WriteNumber("boxes", s.Boxes);
                    w.WriteNumber("ignored_boxes", s.IgnoredBoxes);
                    w.WriteNumber("boxes_with_parts", s.BoxesWithParts);
                    w.WriteNumber("parts", s.PartNames.Count);
                    w.WriteStartObject("labels");
                    foreach (KeyValuePair<string, int> kv in s.Labels)
                    {
                        w.WriteNumber(kv.Key, kv.Value);
                    }

                    w.WriteEndObject();
                    w.WriteNumber("min_box_width", s.MinBoxWidth);
                    w.WriteNumber("max_box_width", s.MaxBoxWidth);
                    w.WriteNumber("min_box_height", s.MinBoxHeight);
                    w.WriteNumber("max_box_height", s.MaxBoxHeight);
                    w.WriteEndObject();
                }

                stdout.WriteByte((byte)'\n');
            }
            else
            {
                Console.WriteLine($"name: {d.Name}");
                Console.WriteLine($"images: {s.Images} ({s.EmptyImages} without boxes)");
                Console.WriteLine($"boxes: {s.Boxes} ({s.IgnoredBoxes} ignored, {s.BoxesWithParts} with parts)");
                Console.WriteLine($"parts: {s.PartNames.Count}{(s.PartNames.Count > 0 ? $" ({string.Join(' ', s.PartNames.Take(8))}{(s.PartNames.Count > 8 ? " ..." : string.Empty)})" : string.Empty)}");
                Console.WriteLine($"labels: {string.Join(", ", s.Labels.Select(kv => $"{(kv.Key.Length == 0 ? "<none>" : kv.Key)}={kv.Value}"))}");
                Console.WriteLine($"box width: {s.MinBoxWidth}..{s.MaxBoxWidth}, height: {s.MinBoxHeight}..{s.MaxBoxHeight}");
            }

            return 0;
        });
        return command;
    }

    private static Command CreateFlip()
    {
        var xml = new Argument<string>("DATASET") { Description = "imglab XML file." };
        var output = new Option<string?>("--out") { Description = "Output XML (default flipped_<DATASET> beside it)." };
        var imageDir = new Option<string?>("--image-dir") { Description = "Folder for the flipped PNG images (default: beside each source image, as imglab)." };
        var basic = new Option<bool>("--basic") { Description = "Do not relabel mirrored parts (imglab --flip-basic)." };
        var merge = new Option<bool>("--merge") { Description = "Write the original images followed by the flipped ones (add_image_left_right_flips)." };
        var command = new Command("flip", "Write left-right flipped images (flipped_<name>.png) and a flipped dataset, as imglab --flip.") { xml, output, imageDir, basic, merge };
        command.SetAction(parse =>
        {
            const string me = "dlib-models dataset flip";
            string src = parse.GetValue(xml)!;
            ImageDataset? d = Load(src, me);
            if (d is null)
            {
                return 1;
            }

            string outPath = parse.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(src))!, "flipped_" + Path.GetFileName(src));
            string? imgDir = parse.GetValue(imageDir);
            var widths = new Dictionary<DatasetImage, long>();
            var names = new Dictionary<DatasetImage, string>();
            try
            {
                foreach (DatasetImage img in d.Images)
                {
                    string path = d.ResolvePath(img);
                    RgbImage rgb = ImageFile.LoadRgb(path);
                    var flipped = new RgbImage(rgb.Rows, rgb.Cols);
                    for (int r = 0; r < rgb.Rows; r++)
                    {
                        for (int c = 0; c < rgb.Cols; c++)
                        {
                            int s = ((r * rgb.Cols) + c) * 3, t = ((r * rgb.Cols) + (rgb.Cols - 1 - c)) * 3;
                            flipped.Pixels[t] = rgb.Pixels[s];
                            flipped.Pixels[t + 1] = rgb.Pixels[s + 1];
                            flipped.Pixels[t + 2] = rgb.Pixels[s + 2];
                        }
                    }

                    string dir = imgDir ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
                    Directory.CreateDirectory(dir);
                    string target = Path.Combine(dir, "flipped_" + Path.GetFileNameWithoutExtension(path) + ".png");
                    ImageFile.SavePng(flipped, target);
                    widths[img] = rgb.Cols;
                    names[img] = Path.GetFullPath(target);
                }
            }
            catch (Exception e) when (e is IOException or ImageDecodeException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"{me}: {e.Message}");
                return 1;
            }

            ImageDataset f = DatasetTransforms.FlipLeftRight(d, i => widths[i], i => names[i], !parse.GetValue(basic));
            if (parse.GetValue(merge))
            {
                ImageDataset all = d.Clone();
                foreach (DatasetImage img in f.Images)
                {
                    all.Images.Add(img);
                }

                f = all;
            }

            Save(d, f, outPath);
            Console.WriteLine($"wrote {outPath} ({f.Images.Count} images)");
            return 0;
        });
        return command;
    }

    private static Command CreateSplit()
    {
        var xml = new Argument<string>("DATASET") { Description = "imglab XML file." };
        var fraction = new Option<double?>("--train-fraction") { Description = "imglab --split-train-test: the first round(f*N) images go to <name>_train.xml, the rest to <name>_test.xml." };
        var label = new Option<string?>("--label") { Description = "imglab --split: images with a box of this label go to <name>_with_<label>.xml, the rest to <name>_without_<label>.xml." };
        var command = new Command("split", "Split a dataset by position (train/test) or by label, as imglab does.") { xml, fraction, label };
        command.SetAction(parse =>
        {
            const string me = "dlib-models dataset split";
            string src = parse.GetValue(xml)!;
            ImageDataset? d = Load(src, me);
            if (d is null)
            {
                return 1;
            }

            double? frac = parse.GetValue(fraction);
            string? lab = parse.GetValue(label);
            if ((frac is null) == (lab is null))
            {
                Console.Error.WriteLine($"{me}: give exactly one of --train-fraction and --label");
                return 1;
            }

            string stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(src))!, Path.GetFileNameWithoutExtension(src));
            (ImageDataset a, ImageDataset b, string na, string nb) = frac is not null
                ? Pair(DatasetTransforms.SplitTrainTest(d, Math.Clamp(frac.Value, 0, 1)), stem + "_train.xml", stem + "_test.xml")
                : Pair(DatasetTransforms.SplitByLabel(d, lab!), stem + "_with_" + lab + ".xml", stem + "_without_" + lab + ".xml");
            Save(d, a, na);
            Save(d, b, nb);
            Console.WriteLine($"wrote {na} ({a.Images.Count} images) and {nb} ({b.Images.Count} images)");
            return 0;
        });
        return command;
    }

    private static (ImageDataset, ImageDataset, string, string) Pair((ImageDataset A, ImageDataset B) p, string na, string nb) => (p.A, p.B, na, nb);

    private static Command CreateConvert()
    {
        var xml = new Argument<string>("DATASET") { Description = "imglab XML file." };
        var output = new Option<string>("--out") { Description = "Output XML file (image paths are rewritten relative to it).", Required = true };
        var label = new Option<string?>("--label") { Description = "Keep only boxes with this label." };
        var rmignore = new Option<bool>("--rmignore") { Description = "Drop boxes marked ignore." };
        var rmempty = new Option<bool>("--rmempty") { Description = "Drop images without boxes." };
        var command = new Command("convert", "Rewrite a dataset in dlib's canonical layout (optionally filtered), e.g. to move it or keep one label.") { xml, output, label, rmignore, rmempty };
        command.SetAction(parse =>
        {
            ImageDataset? d = Load(parse.GetValue(xml)!, "dlib-models dataset convert");
            if (d is null)
            {
                return 1;
            }

            string? lab = parse.GetValue(label);
            bool noIgnore = parse.GetValue(rmignore);
            ImageDataset r = DatasetTransforms.FilterBoxes(d, b => (lab is null || b.Label == lab) && !(noIgnore && b.Ignore));
            if (parse.GetValue(rmempty))
            {
                r.Images.RemoveAll(i => i.Boxes.Count == 0);
            }

            string outPath = parse.GetValue(output)!;
            Save(d, r, outPath);
            Console.WriteLine($"wrote {outPath} ({r.Images.Count} images, {r.Images.Sum(i => i.Boxes.Count)} boxes)");
            return 0;
        });
        return command;
    }
}
