namespace DlibModels.Zoo;

/// <summary>One file of the dlib model zoo (github.com/davisking/dlib-models).</summary>
/// <param name="Name">Catalogue name, the file name without <c>.dat.bz2</c>/<c>.dnn.bz2</c>.</param>
/// <param name="FileName">The file as published (compressed), e.g. <c>mmod_human_face_detector.dat.bz2</c>.</param>
/// <param name="Description">What the model does.</param>
/// <param name="CompressedSize">Size in bytes of the published <c>.bz2</c>, or null when not known here.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the published <c>.bz2</c>, or null when not known here.</param>
/// <param name="DecompressedSha256">SHA-256 of the decompressed file, or null when not known here.</param>
/// <param name="License">The licence terms, as far as the dlib-models README states them.</param>
/// <param name="Notice">A notice printed whenever the model is fetched or used (restrictive terms), or null.</param>
/// <param name="Embedded">True for a model built into the library (nothing to download).</param>
public sealed record ModelInfo(
    string Name,
    string FileName,
    string Description,
    long? CompressedSize,
    string? Sha256,
    string? DecompressedSha256,
    string License,
    string? Notice = null,
    bool Embedded = false)
{
    /// <summary>The decompressed file name (<see cref="FileName"/> without <c>.bz2</c>).</summary>
    public string DecompressedFileName => FileName.EndsWith(".bz2", StringComparison.Ordinal) ? FileName[..^4] : FileName;

    /// <summary>True when the licence restricts use (a <see cref="Notice"/> is shown).</summary>
    public bool IsRestricted => Notice is not null;

    /// <summary>
    /// Where the file is downloaded from, in order: <c>BASE/FILENAME</c> when <paramref name="baseUrl"/> is
    /// given, else dlib.net and then the dlib-models GitHub repository.
    /// </summary>
    public IReadOnlyList<Uri> DownloadUrls(string? baseUrl = null)
    {
        if (Embedded)
        {
            return [];
        }

        if (!string.IsNullOrEmpty(baseUrl))
        {
            return [new Uri(baseUrl.TrimEnd('/') + "/" + FileName)];
        }

        return
        [
            new Uri(ModelCatalog.DlibNetBase + FileName),
            new Uri(ModelCatalog.GitHubBase + FileName),
        ];
    }
}

/// <summary>
/// The dlib model zoo: every file of dlib-models with its download addresses, size, SHA-256 (where
/// known) and licence. Sizes and hashes come from the files checked into this project's model mirror;
/// entries whose file was not available are marked unknown (null) rather than guessed.
/// </summary>
public static class ModelCatalog
{
    /// <summary>dlib.net's download folder.</summary>
    public const string DlibNetBase = "http://dlib.net/files/";

    /// <summary>The raw-file address of the dlib-models repository.</summary>
    public const string GitHubBase = "https://github.com/davisking/dlib-models/raw/master/";

    /// <summary>The environment variable that overrides the download base URL (files are fetched as BASE/FILENAME).</summary>
    public const string UrlVariable = "DLIB_MODELS_URL";

    /// <summary>Printed whenever a 68-point model trained on iBUG 300-W is fetched or used.</summary>
    public const string SixtyEightPointNotice =
        "note: shape_predictor_68_face_landmarks was trained on the iBUG 300-W dataset, whose licence excludes commercial use; contact the dataset owners before using it commercially.";

    private const string PublicDomain = "public domain (dlib-models README: Davis King released his models into the public domain)";

    private static readonly ModelInfo[] Entries =
    [
        new(
            "frontal_face_detector",
            "frontal_face_detector.dat.bz2",
            "dlib's HOG frontal face detector (get_frontal_face_detector); built into DlibModels, nothing to download.",
            123632,
            "7ef0315b8a893808a8c8c1677c7f49b519538ed1b4205d6d240a0274effd2975",
            "f3f7aa833fb4a14a46fc48689f45b98d85ef72d6dfaf8bdc012b7d3c522a5426",
            "Boost Software License 1.0 (the detector's weights are part of dlib's source code)",
            Embedded: true),
        new(
            "mmod_human_face_detector",
            "mmod_human_face_detector.dat.bz2",
            "CNN (MMOD) face detector: finds faces about 40x40 px and larger, more pose-tolerant than HOG (dnn_mmod_face_detection_ex).",
            694687,
            "db9e9e40f092c118d5eb3e643935b216838170793559515541c56a2b50d9fc84",
            "be467b1a76f482693de3b0f6a1ff91d092319be71523d4d4b0628f6a53fcb87a",
            PublicDomain + "; trained on dlib's face detection dataset (images from public datasets, excluding FDDB)"),
        new(
            "shape_predictor_5_face_landmarks",
            "shape_predictor_5_face_landmarks.dat.bz2",
            "5-point face landmarks (eye corners and bottom of the nose) for face alignment; works with the HOG and CNN face detectors.",
            null,
            null,
            null,
            PublicDomain + "; trained on dlib's own 5-point landmark dataset (released as CC0)"),
        new(
            "shape_predictor_68_face_landmarks",
            "shape_predictor_68_face_landmarks.dat.bz2",
            "68-point face landmarks (iBUG 300-W markup) for HOG-detected faces (face_landmark_detection_ex).",
            64040097,
            "7d6637b8f34ddb0c1363e09a4628acb34314019ec3566fd66b80c04dda6980f5",
            "fbdc2cb80eb9aa7a758672cbfdda32ba6300efe9b6e6c7a299ff7e736b11b92f",
            "restricted: trained on iBUG 300-W, whose licence excludes commercial use (dlib-models README)",
            SixtyEightPointNotice),
        new(
            "shape_predictor_68_face_landmarks_GTX",
            "shape_predictor_68_face_landmarks_GTX.dat.bz2",
            "68-point face landmarks, a later, more robust retraining of the 68-point model (contributed to dlib-models).",
            null,
            null,
            null,
            "restricted (assumed): uses the iBUG 300-W 68-point markup and data, whose licence excludes commercial use; check the dlib-models README",
            SixtyEightPointNotice.Replace("shape_predictor_68_face_landmarks", "shape_predictor_68_face_landmarks_GTX", StringComparison.Ordinal)),
        new(
            "dlib_face_recognition_resnet_model_v1",
            "dlib_face_recognition_resnet_model_v1.dat.bz2",
            "ResNet-29 face descriptor: 128-D embeddings of aligned 150x150 face chips, 99.38% on LFW (dnn_face_recognition_ex).",
            null,
            null,
            null,
            PublicDomain),
        new(
            "resnet34_1000_imagenet_classifier",
            "resnet34_1000_imagenet_classifier.dnn.bz2",
            "ResNet-34 ImageNet classifier, 1000 classes, labels stored in the file (dnn_imagenet_ex).",
            null,
            null,
            null,
            PublicDomain + "; trained on ImageNet (the ImageNet images have their own terms)"),
        new(
            "resnet50_1000_imagenet_classifier",
            "resnet50_1000_imagenet_classifier.dnn.bz2",
            "ResNet-50 ImageNet classifier, 1000 classes (contributed to dlib-models).",
            null,
            null,
            null,
            "as stated in the dlib-models README for contributed models (not verified here); trained on ImageNet"),
        new(
            "mmod_dog_hipsterizer",
            "mmod_dog_hipsterizer.dat.bz2",
            "Dog face detector, 6-point dog face landmarks and the glasses and mustache overlays (dnn_mmod_dog_hipsterizer).",
            null,
            null,
            null,
            PublicDomain + "; trained on Columbia's dogs dataset images"),
        new(
            "mmod_rear_end_vehicle_detector",
            "mmod_rear_end_vehicle_detector.dat.bz2",
            "Rear-end car detector (MMOD) with a shape predictor (dnn_mmod_find_cars_ex).",
            3736851,
            "870d512c6ee7aeafc398190fface548ba10cdd2eff266f412cf16c786dbd81d0",
            "d7d77e9091421815821d156e0e8b8b7409752b87d7d4237ffd07e14c10518cb6",
            PublicDomain),
        new(
            "mmod_front_and_rear_end_vehicle_detector",
            "mmod_front_and_rear_end_vehicle_detector.dat.bz2",
            "Front and rear car detector (MMOD, labels 'front' and 'rear') with a shape predictor (dnn_mmod_find_cars2_ex).",
            3865588,
            "7cab6a83a4ddff4b7da42ffd06d8ff3456c8014fc7bb48108dc8f64ed46d2c7a",
            "4baf25b1713a2c5ca2f10dbe4808c464b325a9413e9e25c066abde3d5a50741e",
            PublicDomain),
        new(
            "dnn_gender_classifier_v1",
            "dnn_gender_classifier_v1.dat.bz2",
            "Gender classifier for 32x32 face chips (contributed by Cydral Technology).",
            516312,
            "2f59f7a3c36a4d9487920b5b4ad4fa445269efd47f3f17b40a4c521c868aae30",
            "85453d6f6585c8e02ada95929956783c780dc04dcec5bdfd14af82f15c99ba41",
            "as stated in the dlib-models README for this contributed model (believed free to use; not verified here)"),
        new(
            "dnn_age_predictor_v1",
            "dnn_age_predictor_v1.dat.bz2",
            "Age predictor for 64x64 face chips (ResNet-10, contributed by Cydral Technology).",
            null,
            null,
            null,
            "as stated in the dlib-models README for this contributed model (not verified here)"),
        new(
            "face_recognition_densenet_model_v1",
            "face_recognition_densenet_model_v1.dat.bz2",
            "DenseNet face descriptor (contributed to dlib-models).",
            2518685,
            "b822cb530a850538b10ee47265f38b1c49f8dc113add2f389fe8c2cd72ec78db",
            "c6a6418ea119126046e204e010127d24dc79a41dd613a9d3961d1856b5df6535",
            "as stated in the dlib-models README for this contributed model (not verified here)"),
    ];

    /// <summary>Every model, in catalogue order.</summary>
    public static IReadOnlyList<ModelInfo> All => Entries;

    /// <summary>
    /// Finds a model by catalogue name or file name (with or without <c>.dat</c>/<c>.dnn</c>/<c>.bz2</c>),
    /// case-insensitively; null when unknown.
    /// </summary>
    public static ModelInfo? Find(string nameOrFile)
    {
        ArgumentNullException.ThrowIfNull(nameOrFile);
        string stem = Stem(Path.GetFileName(nameOrFile));
        foreach (ModelInfo m in Entries)
        {
            if (string.Equals(m.Name, stem, StringComparison.OrdinalIgnoreCase))
            {
                return m;
            }
        }

        return null;
    }

    /// <summary>The notice to show when <paramref name="pathOrName"/> (a file or catalogue name) is fetched or used, or null.</summary>
    public static string? NoticeFor(string pathOrName)
    {
        ArgumentNullException.ThrowIfNull(pathOrName);
        return Find(pathOrName)?.Notice;
    }

    /// <summary>Strips <c>.bz2</c>, then <c>.dat</c> or <c>.dnn</c>.</summary>
    internal static string Stem(string fileName)
    {
        string s = fileName;
        if (s.EndsWith(".bz2", StringComparison.OrdinalIgnoreCase))
        {
            s = s[..^4];
        }

        if (s.EndsWith(".dat", StringComparison.OrdinalIgnoreCase) || s.EndsWith(".dnn", StringComparison.OrdinalIgnoreCase))
        {
            s = s[..^4];
        }

        return s;
    }
}
