namespace DlibModels.Dnn.Architecture;

/// <summary>
/// The network types of the dlib-models files, as declared in dlib's example programs
/// (dnn_mmod_face_detection_ex, dnn_mmod_find_cars_ex, dnn_mmod_dog_hipsterizer,
/// dnn_face_recognition_ex, dnn_imagenet_ex), written as dlib type expressions.
/// </summary>
public static class BuiltInArchitectures
{
    private const string MmodCommon = """
        template <long num_filters, typename SUBNET> using con5d = con<num_filters,5,5,2,2,SUBNET>;
        template <long num_filters, typename SUBNET> using con5  = con<num_filters,5,5,1,1,SUBNET>;
        template <typename SUBNET> using downsampler = relu<affine<con5d<32, relu<affine<con5d<32, relu<affine<con5d<16,SUBNET>>>>>>>>>;
        template <long N, typename SUBNET> using rcon5 = relu<affine<con5<N,SUBNET>>>;
        template <long N> using mmod_net = loss_mmod<con<1,9,9,1,1,rcon5<N,rcon5<N,rcon5<N,downsampler<input_rgb_image_pyramid<pyramid_down<6>>>>>>>>;
        """;

    private const string ResNetCommon = """
        template <template <int,template<typename>class,int,typename> class block, int N, template<typename>class BN, typename SUBNET>
        using residual = add_prev1<block<N,BN,1,tag1<SUBNET>>>;
        template <template <int,template<typename>class,int,typename> class block, int N, template<typename>class BN, typename SUBNET>
        using residual_down = add_prev2<avg_pool<2,2,2,2,skip1<tag2<block<N,BN,2,tag1<SUBNET>>>>>>;
        template <int N, template <typename> class BN, int stride, typename SUBNET>
        using block = BN<con<N,3,3,1,1,relu<BN<con<N,3,3,stride,stride,SUBNET>>>>>;
        template <int N, typename SUBNET> using ares = relu<residual<block,N,affine,SUBNET>>;
        template <int N, typename SUBNET> using ares_down = relu<residual_down<block,N,affine,SUBNET>>;
        """;

    /// <summary>mmod_human_face_detector and mmod_dog_hipsterizer's net (45 filters).</summary>
    public const string FaceMmod = MmodCommon + "using net_type = mmod_net<45>;";

    /// <summary>The two vehicle detectors' net (55 filters).</summary>
    public const string VehicleMmod = MmodCommon + "using net_type = mmod_net<55>;";

    /// <summary>dlib_face_recognition_resnet_model_v1.</summary>
    public const string FaceRecognitionResNet = ResNetCommon + """
        template <typename SUBNET> using alevel0 = ares_down<256,SUBNET>;
        template <typename SUBNET> using alevel1 = ares<256,ares<256,ares_down<256,SUBNET>>>;
        template <typename SUBNET> using alevel2 = ares<128,ares<128,ares_down<128,SUBNET>>>;
        template <typename SUBNET> using alevel3 = ares<64,ares<64,ares<64,ares_down<64,SUBNET>>>>;
        template <typename SUBNET> using alevel4 = ares<32,ares<32,ares<32,SUBNET>>>;
        using anet_type = loss_metric<fc_no_bias<128,avg_pool_everything<
            alevel0<alevel1<alevel2<alevel3<alevel4<
            max_pool<3,3,2,2,relu<affine<con<32,7,7,2,2,input_rgb_image_sized<150>>>>>>>>>>>>>;
        """;

    /// <summary>resnet34_1000_imagenet_classifier.</summary>
    public const string ImageNetResNet34 = ResNetCommon + """
        template <typename SUBNET> using level1 = ares<512,ares<512,ares_down<512,SUBNET>>>;
        template <typename SUBNET> using level2 = ares<256,ares<256,ares<256,ares<256,ares<256,ares_down<256,SUBNET>>>>>>;
        template <typename SUBNET> using level3 = ares<128,ares<128,ares<128,ares_down<128,SUBNET>>>>;
        template <typename SUBNET> using level4 = ares<64,ares<64,ares<64,SUBNET>>>;
        using anet_type = loss_multiclass_log<fc<1000,avg_pool_everything<
            level1<level2<level3<level4<
            max_pool<3,3,2,2,relu<affine<con<64,7,7,2,2,input_rgb_image_sized<227>>>>>>>>>>>>;
        """;

    /// <summary>
    /// face_recognition_densenet_model_v1: a DenseNet (growth rate 16, 3/6/12/8 dense layers per
    /// stage) ending in a 128-d metric embedding; inputs of any size. Its file holds dlib
    /// <c>repeat</c> layers.
    /// </summary>
    public const string FaceRecognitionDenseNet = """
        template <typename SUBNET> using dense_layer = concat2<tag1,tag2,
            tag2<con<16,3,3,1,1,relu<bn_con<con<64,1,1,1,1,relu<bn_con<tag1<SUBNET>>>>>>>>>;
        template <long N, typename SUBNET> using transition = avg_pool<2,2,2,2,con<N,1,1,1,1,relu<bn_con<SUBNET>>>>;
        template <typename INPUT> using stem = add_layer<max_pool_<3,3,2,2,1,1>,relu<bn_con<add_layer<con_<32,7,7,2,2,3,3>,INPUT>>>>;
        using net_type = loss_metric<fc_no_bias<128,avg_pool_everything<relu<bn_con<
            repeat<8,dense_layer,transition<130,
            repeat<12,dense_layer,transition<68,
            repeat<6,dense_layer,transition<40,
            repeat<3,dense_layer,stem<input_rgb_image>>>>>>>>>>>>>;
        """;

    /// <summary>All built-in architectures with a short name, tried in order when a file's type is not given.</summary>
    public static IReadOnlyList<(string Name, string Text)> All { get; } =
    [
        ("face_mmod_net", FaceMmod),
        ("vehicle_mmod_net", VehicleMmod),
        ("face_recognition_resnet_v1", FaceRecognitionResNet),
        ("resnet34_imagenet", ImageNetResNet34),
        ("face_recognition_densenet_v1", FaceRecognitionDenseNet),
    ];
}
