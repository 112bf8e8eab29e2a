using System.Reflection;
using System.Text.Json;
using DlibModels.Dnn.Architecture;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Cli;

/// <summary>Console redirection is process-global: CLI tests never run in parallel with each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CliCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "CLI (redirects the console)";
}

/// <summary>
/// <c>dlib-models inspect</c>: run in-process through the CLI's entry point with the console captured,
/// except <c>--json</c>, which writes to the raw standard output stream and so runs as a child process.
/// </summary>
[Collection(CliCollection.Name)]
public class InspectCommandTests
{
    /// <summary>The face ResNet written by a user: other alias names, dlib:: prefixes, comments.</summary>
    private const string UserFaceResNet = """
        #include <dlib/dnn.h>
        // my own spelling of dlib_face_recognition_resnet_model_v1
        template <template <int,template<typename>class,int,typename> class B, int K, template<typename>class NORM, typename S>
        using res = dlib::add_prev1<B<K,NORM,1,dlib::tag1<S>>>;
        template <template <int,template<typename>class,int,typename> class B, int K, template<typename>class NORM, typename S>
        using res_down = dlib::add_prev2<dlib::avg_pool<2,2,2,2,dlib::skip1<dlib::tag2<B<K,NORM,2,dlib::tag1<S>>>>>>;
        template <int K, template <typename> class NORM, int STRIDE, typename S>
        using two_convs = NORM<dlib::con<K,3,3,1,1,dlib::relu<NORM<dlib::con<K,3,3,STRIDE,STRIDE,S>>>>>;
        template <int K, typename S> using r = dlib::relu<res<two_convs,K,dlib::affine,S>>;
        template <int K, typename S> using rd = dlib::relu<res_down<two_convs,K,dlib::affine,S>>;
        /* five stages */
        template <typename S> using stage0 = rd<256,S>;
        template <typename S> using stage1 = r<256,r<256,rd<256,S>>>;
        template <typename S> using stage2 = r<128,r<128,rd<128,S>>>;
        template <typename S> using stage3 = r<64,r<64,r<64,rd<64,S>>>>;
        template <typename S> using stage4 = r<32,r<32,r<32,S>>>;
        using face_net = dlib::loss_metric<dlib::fc_no_bias<128,dlib::avg_pool_everything<
            stage0<stage1<stage2<stage3<stage4<
            dlib::max_pool<3,3,2,2,dlib::relu<dlib::affine<dlib::con<32,7,7,2,2,
            dlib::input_rgb_image_sized<150>>>>>>>>>>>>>;
        """;

    /// <summary>The face DenseNet written by a user with dlib's repeat and other names.</summary>
    private const string UserDenseNet = """
        template <typename T> using unit = concat2<tag1,tag2,tag2<con<16,3,3,1,1,relu<bn_con<con<64,1,1,1,1,relu<bn_con<tag1<T>>>>>>>>>;
        template <typename T> using squeeze130 = avg_pool<2,2,2,2,con<130,1,1,1,1,relu<bn_con<T>>>>;
        template <typename T> using squeeze68 = avg_pool<2,2,2,2,con<68,1,1,1,1,relu<bn_con<T>>>>;
        template <typename T> using squeeze40 = avg_pool<2,2,2,2,con<40,1,1,1,1,relu<bn_con<T>>>>;
        using dense = loss_metric<fc_no_bias<128,avg_pool_everything<relu<bn_con<
            repeat<8,unit,squeeze130<repeat<12,unit,squeeze68<repeat<6,unit,squeeze40<repeat<3,unit,
            add_layer<max_pool_<3,3,2,2,1,1>,relu<bn_con<add_layer<con_<32,7,7,2,2,3,3>,input_rgb_image>>>>>>>>>>>>>>>>;
        """;

    private static readonly Lazy<Dictionary<string, long>> ReferenceCounts = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile("reference/parameter_counts.json")));
        return doc.RootElement.GetProperty("counts").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
    });

    public static TheoryData<string> ReferenceFiles => new()
    {
        "models/mmod_human_face_detector.dat.bz2",
        "models/mmod_rear_end_vehicle_detector.dat.bz2",
        "models/mmod_front_and_rear_end_vehicle_detector.dat.bz2",
        "models/standin/mmod_human_hipsterizer.standin.dat.bz2",
        "models/standin/dlib_face_recognition_resnet_model_v1.faceapi.dat.bz2",
        "models/standin/dlib_face_recognition_resnet_model_v1.faceapi.legacy-format.dat.bz2",
        "models/standin/resnet34_1000_imagenet_classifier.random.dnn.bz2",
        "models/standin/resnet34_1000_imagenet_classifier.random.legacy-format.dnn.bz2",
    };

    [Fact]
    public void Theory_lists_every_file_of_the_reference_counts()
    {
        Assert.Equal(ReferenceCounts.Value.Keys.Order(), ReferenceFiles.Cast<object[]>().Select(row => (string)row[0]).Order());
    }

    [SkippableTheory]
    [MemberData(nameof(ReferenceFiles))]
    public void Json_parameter_count_equals_dlibs(string file)
    {
        string path = TestPaths.Model(file["models/".Length..]);
        (int code, string stdout, string stderr) = RunChild("inspect", "--json", path);
        Assert.True(code == 0, $"exit {code}: {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(ReferenceCounts.Value[file], doc.RootElement.GetProperty("parameter_count").GetInt64());
        Assert.Equal(path, doc.RootElement.GetProperty("file").GetString());
        Assert.Equal("net", doc.RootElement.GetProperty("objects")[0].GetProperty("type").GetString());
        long sum = doc.RootElement.GetProperty("layers").EnumerateArray().Sum(l => l.GetProperty("parameter_count").GetInt64());
        Assert.Equal(ReferenceCounts.Value[file], sum);
    }

    [SkippableFact]
    public void Users_own_architecture_text_is_accepted_and_gives_the_same_count()
    {
        string path = TestPaths.Model("standin/dlib_face_recognition_resnet_model_v1.faceapi.dat.bz2");
        (int code, string stdout, string stderr) = RunInProcess("inspect", path, "--arch", UserFaceResNet);
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Contains($"parameter_count: {ReferenceCounts.Value["models/standin/dlib_face_recognition_resnet_model_v1.faceapi.dat.bz2"]}", stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stderr);
    }

    [SkippableFact]
    public void Users_own_repeat_architecture_reads_the_densenet_like_the_built_in()
    {
        string path = TestPaths.Model("face_recognition_densenet_model_v1.dat.bz2");
        (int code, string builtIn, string e1) = RunInProcess("inspect", path);
        Assert.True(code == 0, $"exit {code}: {e1}");
        (int code2, string given, string e2) = RunInProcess("inspect", path, "--arch", UserDenseNet);
        Assert.True(code2 == 0, $"exit {code2}: {e2}");
        Assert.Contains("parameter_count: 606918", builtIn, StringComparison.Ordinal);
        Assert.Equal(builtIn, given);
    }

    [SkippableFact]
    public void Wrong_architecture_exits_non_zero_with_the_reason_on_stderr()
    {
        string path = TestPaths.Model("mmod_human_face_detector.dat.bz2");
        (int code, string stdout, string stderr) = RunInProcess("inspect", path, "--arch", BuiltInArchitectures.FaceRecognitionResNet);
        Assert.NotEqual(0, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("dlib-models inspect:", stderr, StringComparison.Ordinal);
        Assert.Contains(path, stderr, StringComparison.Ordinal);
        Assert.Contains("does not match the architecture", stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Invalid_architecture_text_exits_non_zero()
    {
        string path = TestPaths.Model("mmod_human_face_detector.dat.bz2");
        (int code, _, string stderr) = RunInProcess("inspect", path, "--arch", "loss_mmod<con<1,9,9,1,1,");
        Assert.NotEqual(0, code);
        Assert.Contains("the architecture given", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_exits_non_zero_naming_it()
    {
        string path = Path.Combine(Path.GetTempPath(), $"dlibmodels-missing-{Guid.NewGuid():N}.dat.bz2");
        (int code, string stdout, string stderr) = RunInProcess("inspect", path);
        Assert.NotEqual(0, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains(path, stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Hog_detector_and_shape_predictor_files_are_described()
    {
        string hog = TestPaths.Model("frontal_face_detector.dat.bz2");
        (int code, string stdout, string stderr) = RunInProcess("inspect", hog);
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Contains("object_detector", stdout, StringComparison.Ordinal);
        Assert.Contains("5 filters, 80x80 window", stdout, StringComparison.Ordinal);

        string sp = TestPaths.Model("standin/shape_predictor_5_face_landmarks.standin.dat.bz2");
        (code, stdout, stderr) = RunInProcess("inspect", sp);
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Contains("5-part shape predictor", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_no_dlib_model_exits_non_zero()
    {
        string path = Path.Combine(Path.GetTempPath(), "not-a-model-" + Guid.NewGuid().ToString("N") + ".dat");
        File.WriteAllBytes(path, [1, 1, 1, 5, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o']);
        try
        {
            (int code, _, string stderr) = RunInProcess("inspect", path);
            Assert.NotEqual(0, code);
            Assert.Contains("not a shape_predictor or HOG object_detector either", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [SkippableFact]
    public void Text_listing_numbers_layers_from_the_loss_down_to_the_input()
    {
        string path = TestPaths.Model("mmod_human_face_detector.dat.bz2");
        (int code, string stdout, string stderr) = RunInProcess("inspect", path);
        Assert.True(code == 0, $"exit {code}: {stderr}");
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => l.StartsWith("layer<0>", StringComparison.Ordinal) && l.Contains("loss_mmod", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("layer<1>", StringComparison.Ordinal) && l.Contains("con", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("layer<20>", StringComparison.Ordinal) && l.Contains("input_rgb_image_pyramid", StringComparison.Ordinal));
        Assert.Contains("parameter_count: 180711", stdout, StringComparison.Ordinal);
    }

    /// <summary>Runs the CLI's entry point in this process with stdout and stderr captured.</summary>
    private static (int Code, string Stdout, string Stderr) RunInProcess(params string[] args)
    {
        MethodInfo main = typeof(DlibModels.Cli.Commands.InspectCommand).Assembly.EntryPoint
            ?? throw new InvalidOperationException("the CLI assembly has no entry point");
        TextWriter oldOut = Console.Out, oldErr = Console.Error;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        try
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            object? result = main.Invoke(null, [args]);
            return (result is int code ? code : 0, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    private static (int Code, string Stdout, string Stderr) RunChild(params string[] args) => CliProcess.Run(args);
}
