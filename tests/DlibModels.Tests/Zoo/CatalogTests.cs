using DlibModels.Tests.Support;
using DlibModels.Zoo;

namespace DlibModels.Tests.Zoo;

public sealed class CatalogTests
{
    [Fact]
    public void HasEveryDlibModelsFileWithBothDownloadUrls()
    {
        string[] expected =
        [
            "mmod_human_face_detector", "shape_predictor_5_face_landmarks", "shape_predictor_68_face_landmarks",
            "shape_predictor_68_face_landmarks_GTX", "dlib_face_recognition_resnet_model_v1", "resnet34_1000_imagenet_classifier",
            "resnet50_1000_imagenet_classifier", "mmod_dog_hipsterizer", "mmod_rear_end_vehicle_detector",
            "mmod_front_and_rear_end_vehicle_detector", "dnn_gender_classifier_v1", "dnn_age_predictor_v1", "frontal_face_detector",
        ];
        foreach (string name in expected)
        {
            Assert.NotNull(ModelCatalog.Find(name));
        }

        Assert.Equal(ModelCatalog.All.Count, ModelCatalog.All.Select(m => m.Name).Distinct().Count());
        ModelInfo resnet = ModelCatalog.Find("resnet34_1000_imagenet_classifier")!;
        Assert.Equal("resnet34_1000_imagenet_classifier.dnn.bz2", resnet.FileName);
        Assert.Equal(
            ["http://dlib.net/files/resnet34_1000_imagenet_classifier.dnn.bz2", "https://github.com/davisking/dlib-models/raw/master/resnet34_1000_imagenet_classifier.dnn.bz2"],
            resnet.DownloadUrls().Select(u => u.ToString()));
        Assert.Equal("http://mirror.example/m/resnet34_1000_imagenet_classifier.dnn.bz2", Assert.Single(resnet.DownloadUrls("http://mirror.example/m/")).ToString());
        Assert.Empty(ModelCatalog.Find("frontal_face_detector")!.DownloadUrls());
        foreach (ModelInfo m in ModelCatalog.All)
        {
            Assert.EndsWith(".bz2", m.FileName, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(m.License));
            Assert.False(string.IsNullOrWhiteSpace(m.Description));
            Assert.True(m.Sha256 is null || m.Sha256.Length == 64);
        }
    }

    [Theory]
    [InlineData("mmod_human_face_detector")]
    [InlineData("mmod_human_face_detector.dat")]
    [InlineData("mmod_human_face_detector.dat.bz2")]
    [InlineData("/some/dir/MMOD_HUMAN_FACE_DETECTOR.dat.bz2")]
    public void FindAcceptsNamesAndFileNames(string name) =>
        Assert.Equal("mmod_human_face_detector", ModelCatalog.Find(name)?.Name);

    [Fact]
    public void SixtyEightPointNoticeNamesTheRestriction()
    {
        string? notice = ModelCatalog.NoticeFor("/cache/shape_predictor_68_face_landmarks.dat.bz2");
        Assert.NotNull(notice);
        Assert.Contains("iBUG 300-W", notice, StringComparison.Ordinal);
        Assert.Contains("commercial", notice, StringComparison.Ordinal);
        Assert.True(ModelCatalog.Find("shape_predictor_68_face_landmarks")!.IsRestricted);
        Assert.True(ModelCatalog.Find("shape_predictor_68_face_landmarks_GTX")!.IsRestricted);
        Assert.Null(ModelCatalog.NoticeFor("mmod_human_face_detector"));
        Assert.Null(ModelCatalog.NoticeFor("shape_predictor_5_face_landmarks.dat"));
    }

    [SkippableFact]
    public async Task KnownSizesAndHashesMatchTheMirroredFiles()
    {
        string? dir = TestPaths.ModelsDir;
        Skip.If(dir is null || !Directory.Exists(dir), "no model folder");
        int checkedFiles = 0;
        foreach (ModelInfo m in ModelCatalog.All)
        {
            string path = Path.Combine(dir!, m.FileName);
            if (m.Sha256 is null || !File.Exists(path))
            {
                continue;
            }

            Assert.Equal(m.CompressedSize, new FileInfo(path).Length);
            Assert.Equal(m.Sha256, await ModelFetcher.Sha256Async(path));
            checkedFiles++;
        }

        Skip.If(checkedFiles == 0, "no catalogue file in the model folder");
    }
}
