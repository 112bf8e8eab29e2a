namespace DlibModels.Dnn.Format;

/// <summary>
/// The field layout of every dlib record version this library reads, from <c>dlib/dnn/layers.h</c>,
/// <c>input.h</c> and <c>loss.h</c> of dlib 19.24 and the older versions those still accept.
/// </summary>
internal static class RecordSchemas
{
    private static readonly (string, FieldKind)[] Multipliers =
    [
        ("learning_rate_multiplier", FieldKind.Double),
        ("weight_decay_multiplier", FieldKind.Double),
        ("bias_learning_rate_multiplier", FieldKind.Double),
        ("bias_weight_decay_multiplier", FieldKind.Double),
    ];

    private static readonly (string, FieldKind)[] Con4 =
    [
        ("params", FieldKind.Tensor),
        ("num_filters", FieldKind.Int),
        ("nr", FieldKind.Int),
        ("nc", FieldKind.Int),
        ("stride_y", FieldKind.Int),
        ("stride_x", FieldKind.Int),
        ("padding_y", FieldKind.Int),
        ("padding_x", FieldKind.Int),
        ("filters", FieldKind.AliasTensor),
        ("biases", FieldKind.AliasTensor),
        .. Multipliers,
    ];

    private static readonly (string, FieldKind)[] Fc2 =
    [
        ("num_outputs", FieldKind.Int),
        ("num_inputs", FieldKind.Int),
        ("params", FieldKind.Tensor),
        ("weights", FieldKind.AliasTensor),
        ("biases", FieldKind.AliasTensor),
        ("bias_mode", FieldKind.Int),
        .. Multipliers,
    ];

    private static readonly (string, FieldKind)[] Affine1 =
    [
        ("params", FieldKind.Tensor),
        ("gamma", FieldKind.AliasTensor),
        ("beta", FieldKind.AliasTensor),
        ("mode", FieldKind.Int),
    ];

    private static readonly (string, FieldKind)[] Bn2 =
    [
        ("params", FieldKind.Tensor),
        ("gamma", FieldKind.AliasTensor),
        ("beta", FieldKind.AliasTensor),
        ("means", FieldKind.Tensor),
        ("invstds", FieldKind.Tensor),
        ("running_means", FieldKind.Tensor),
        ("running_variances", FieldKind.Tensor),
        ("num_updates", FieldKind.Int),
        ("running_stats_window_size", FieldKind.Int),
        .. Multipliers,
        ("eps", FieldKind.Double),
    ];

    private static readonly (string, FieldKind)[] Pool2 =
    [
        ("nr", FieldKind.Int),
        ("nc", FieldKind.Int),
        ("stride_y", FieldKind.Int),
        ("stride_x", FieldKind.Int),
        ("padding_y", FieldKind.Int),
        ("padding_x", FieldKind.Int),
    ];

    private static readonly (string, FieldKind)[] Means =
    [
        ("avg_red", FieldKind.Float),
        ("avg_green", FieldKind.Float),
        ("avg_blue", FieldKind.Float),
    ];

    /// <summary>Computational layer records by version string.</summary>
    public static readonly IReadOnlyDictionary<string, (string Name, FieldKind Kind)[]> Layers =
        new Dictionary<string, (string, FieldKind)[]>(StringComparer.Ordinal)
        {
            ["con_4"] = Con4,
            ["con_5"] = [.. Con4, ("use_bias", FieldKind.Bool)],
            ["fc_2"] = Fc2,
            ["fc_3"] = [.. Fc2, ("use_bias", FieldKind.Bool)],
            ["affine_"] = Affine1,
            ["affine_2"] = [.. Affine1, ("disabled", FieldKind.Bool)],
            ["bn_con2"] = Bn2,
            ["bn_fc2"] = Bn2,
            ["max_pool_2"] = Pool2,
            ["avg_pool_2"] = Pool2,
            ["relu_"] = [],
            ["add_prev_"] = [],
            ["dropout_"] = [("drop_rate", FieldKind.Float), ("mask", FieldKind.Tensor)],
            ["multiply_"] = [("val", FieldKind.Float)],
            ["concat_"] = [("tag_count", FieldKind.Int)],
        };

    /// <summary>Input layer records by version string.</summary>
    public static readonly IReadOnlyDictionary<string, (string Name, FieldKind Kind)[]> Inputs =
        new Dictionary<string, (string, FieldKind)[]>(StringComparer.Ordinal)
        {
            ["input_rgb_image"] = Means,
            ["input_rgb_image_sized"] = [.. Means, ("NR", FieldKind.Int), ("NC", FieldKind.Int)],
            ["input_rgb_image_pyramid"] = Means,
            ["input_rgb_image_pyramid2"] = [.. Means, ("pyramid_padding", FieldKind.Int), ("pyramid_outer_padding", FieldKind.Int)],
            ["input<matrix>"] = [],
            ["input<array2d>"] = [],
        };

    /// <summary>Loss records (other than loss_mmod_, whose options are nested) by version string.</summary>
    public static readonly IReadOnlyDictionary<string, (string Name, FieldKind Kind)[]> Losses =
        new Dictionary<string, (string, FieldKind)[]>(StringComparer.Ordinal)
        {
            ["loss_metric_"] = [],
            ["loss_metric_2"] = [("margin", FieldKind.Float), ("dist_thresh", FieldKind.Float)],
            ["loss_multiclass_log_"] = [],
        };

    private static readonly (string Name, FieldKind Kind)[] WrapperStateV1 =
        [("this_layer_setup_called", FieldKind.Bool), ("gradient_input_is_stale", FieldKind.Bool), ("get_output_and_gradient_input_disabled", FieldKind.Bool), ("x_grad", FieldKind.Tensor), ("cached_output", FieldKind.Tensor)];

    private static readonly (string Name, FieldKind Kind)[] WrapperStateV2 =
        [("this_layer_setup_called", FieldKind.Bool), ("gradient_input_is_stale", FieldKind.Bool), ("get_output_and_gradient_input_disabled", FieldKind.Bool), ("x_grad", FieldKind.Tensor), ("cached_output", FieldKind.Tensor), ("params_grad", FieldKind.Tensor)];

    private static readonly (string Name, FieldKind Kind)[] WrapperOverInputStateV2 =
        [("this_layer_setup_called", FieldKind.Bool), ("gradient_input_is_stale", FieldKind.Bool), ("get_output_and_gradient_input_disabled", FieldKind.Bool), ("x_grad", FieldKind.Tensor), ("cached_output", FieldKind.Tensor), ("grad_final", FieldKind.Tensor)];

    private static readonly (string Name, FieldKind Kind)[] WrapperOverInputStateV3 =
        [("this_layer_setup_called", FieldKind.Bool), ("gradient_input_is_stale", FieldKind.Bool), ("get_output_and_gradient_input_disabled", FieldKind.Bool), ("x_grad", FieldKind.Tensor), ("cached_output", FieldKind.Tensor), ("grad_final", FieldKind.Tensor), ("sample_expansion_factor", FieldKind.Int)];

    private static readonly (string Name, FieldKind Kind)[] TagOverInputStateV2 =
        [("cached_output", FieldKind.Tensor), ("grad_final", FieldKind.Tensor), ("gradient_input_is_stale", FieldKind.Bool), ("sample_expansion_factor", FieldKind.Int)];

    private static readonly (string Name, FieldKind Kind)[] TagOverInputStateV1 =
        [("cached_output", FieldKind.Tensor), ("grad_final", FieldKind.Tensor), ("gradient_input_is_stale", FieldKind.Bool)];

    /// <summary>The fields that follow a layer's details in an <c>add_layer</c> wrapper of <paramref name="version"/>.</summary>
    public static (string Name, FieldKind Kind)[] LayerWrapperState(int version, bool overInput) => (overInput, version) switch
    {
        (false, 1) => WrapperStateV1,
        (false, _) => WrapperStateV2,
        (true, 2) => WrapperOverInputStateV2,
        (true, _) => WrapperOverInputStateV3,
    };

    /// <summary>The fields after the input record in an <c>add_tag_layer</c> directly over the input.</summary>
    public static (string Name, FieldKind Kind)[] TagOverInputState(int version) => version >= 2 ? TagOverInputStateV2 : TagOverInputStateV1;
}
