namespace GanFlow.Core.Experiments

open GanFlow.Core.Specs
open GanFlow.Core.Datasets
open GanFlow.Core.Models

/// One contribution to a run's memory estimate, blamed on the spec field that sets its size.
type MemoryPart =
    { /// Dotted path of the field blamed for this part's size (as validation names fields): of the fields whose
      /// values multiply into it (`Factors`), the one with the largest value.
      Field: string
      /// The field's value as the user wrote it.
      Value: string
      /// Every field whose value multiplies into this part (a width, a depth, a layer count, the batch size), with its
      /// value, in the order the refusal lists them.
      Factors: (string * int) list
      /// What the part is, in words ("generator parameters with Adam's state", "critic activations").
      What: string
      /// Estimated bytes.
      Bytes: float }

/// A rough estimate of the memory a run needs, from its spec alone, so that a spec that cannot fit the machine is
/// refused before any compute (a width of 10⁹ otherwise allocates for minutes and dies with SIGSEGV). It counts what
/// dominates: every network's parameters with their gradients and Adam's two moments (4 copies), and the
/// activations one training batch keeps for the backward pass (2 copies: values and their gradients), at 4 bytes a
/// value for MLP generators and critics and 8 for flows (which train in float64). Evaluation buffers (the final
/// samples, d values each, a few copies), a finite sample's points (float64, drawn and split) and Parzen's model
/// samples are added. It is an order of magnitude, not a budget: the check refuses
/// only what exceeds the machine's whole memory. A seed 002 run (`ganflow dynamics`) is estimated the same way, from
/// its recorded trajectory (`dynamicsParts`).
module MemoryEstimate =

    let private mlpParameters (inputs: float) (outputs: float) (m: Mlp) =
        let w = float m.Width
        inputs * w + w + float (max 0 (m.Depth - 1)) * (w * w + w) + w * outputs + outputs

    let private mlpActivations (batch: float) (m: Mlp) = batch * float m.Width * float m.Depth * 2.0

    /// A part blamed on the largest of `factors` (the first of equal ones).
    let private part (factors: (string * int) list) what bytes =
        let field, value = List.maxBy snd factors
        { Field = field; Value = string value; Factors = factors; What = what; Bytes = bytes }

    /// Parts of a network whose size `sizes` set (its width first, then its depth, layer count and the like): its
    /// parameters, blamed on the largest of `sizes`, and its activations, blamed on the largest of `sizes` and the batch
    /// size, so that a depth of 10⁶ is named as the cause where it is one, not the width or the batch beside it.
    let private network (sizes: (string * int) list) what bytesPerValue (parameters: float) (activations: float) (batch: int) =
        [ part sizes (what + " parameters with gradients and Adam's state") (parameters * 4.0 * bytesPerValue)
          part (sizes @ [ "budget.batchSize", batch ]) (what + " activations of one batch") (activations * 2.0 * bytesPerValue) ]

    /// The width and depth fields of an MLP at `path`.
    let private mlpSizes path (m: Mlp) = [ path + ".width", m.Width; path + ".depth", m.Depth ]

    /// A conv network on side × side images (side = √d): its parameters (`ImageParameters`) and, per image, the
    /// activations of its two feature maps (c₁·(s/2)² and c₂·(s/4)²), kept a few times over by batch norm and autograd.
    /// `images` is how many images one batch passes through it (twice the batch size for a critic, which sees the real
    /// and the generated batch); the batch size named in a refusal is `batch`, as the spec sets it.
    let private conv (field: string) what (d: float) (batch: int) (images: int) (parameters: int) (first: int) (second: int) =
        let side = sqrt d
        let activations = float images * (float first * (side / 2.0) ** 2.0 + float second * (side / 4.0) ** 2.0 + d) * 4.0
        network [ field, first; field.Replace("firstChannels", "secondChannels"), second ] what 4.0 (float parameters) activations batch

    let private generator (d: float) (batch: int) (g: GeneratorSpec) =
        let b = float batch
        match g with
        | GeneratorSpec.Mlp m ->
            // The prior's dimension sizes the first layer's weights (not the activations).
            match network (mlpSizes "model.generator.mlp.network" m.Network) "generator" 4.0
                      (mlpParameters (float m.Prior.Dimension) d m.Network) (mlpActivations b m.Network) batch with
            | parameters :: rest -> part (parameters.Factors @ [ "model.generator.mlp.prior.dimension", m.Prior.Dimension ]) parameters.What parameters.Bytes :: rest
            | [] -> []
        | GeneratorSpec.Conv c ->
            let side = int (round (sqrt d))
            conv "model.generator.conv.firstChannels" "generator" d batch batch (ImageParameters.generator side c) c.FirstChannels c.SecondChannels
        | GeneratorSpec.Flow f ->
            let at = "model.generator.flow.architecture"
            match f.Architecture with
            | FlowArchitecture.RealNvp r ->
                let net = { Mlp.Default with Width = r.Width; Depth = r.Depth }
                network (mlpSizes (at + ".realNvp") net @ [ at + ".realNvp.couplings", r.Couplings ]) "flow" 8.0 (float r.Couplings * mlpParameters d (2.0 * d) net)
                    (float r.Couplings * mlpActivations b net) batch
            | FlowArchitecture.Nice n ->
                let net = { Mlp.Default with Width = n.Width; Depth = n.Depth }
                network (mlpSizes (at + ".nice") net @ [ at + ".nice.couplings", n.Couplings ]) "flow" 8.0 (float n.Couplings * mlpParameters d d net)
                    (float n.Couplings * mlpActivations b net) batch
            | FlowArchitecture.Ffjord f ->
                let widths = List.map float f.Hidden
                let parameters = List.pairwise ((d + 1.0) :: widths @ [ d ]) |> List.sumBy (fun (a, c) -> (a + 1.0) * c * 2.0)
                let widest = List.max f.Hidden
                network [ sprintf "%s.ffjord.hidden[%d]" at (List.findIndex ((=) widest) f.Hidden), widest ] "flow" 8.0 parameters
                    (b * List.sum widths * 10.0) batch
            | FlowArchitecture.OtFlow o ->
                let m = float o.Width
                network [ at + ".otFlow.width", o.Width; at + ".otFlow.rank", o.Rank ] "flow" 8.0 (m * m + m * d + float o.Rank * d) (b * m * 8.0) batch
            | FlowArchitecture.Spline s ->
                // Per layer: the coupling net d → width^depth → d·(3K − 1) (1-D: the 3K − 1 free parameters), and about
                // 30 float64 temporaries of [batch, d, K + 1] for the knots, bins and the rational-quadratic terms.
                let perCoordinate = float (3 * s.Bins - 1)
                let net = { Mlp.Default with Width = s.Width; Depth = s.Depth }
                let parameters = if d = 1.0 then perCoordinate else mlpParameters d (d * perCoordinate) net
                network (mlpSizes (at + ".spline") net @ [ at + ".spline.layers", s.Layers; at + ".spline.bins", s.Bins ]) "flow" 8.0 (float s.Layers * parameters)
                    (float s.Layers * (mlpActivations b net + b * d * float (s.Bins + 1) * 30.0)) batch
            | FlowArchitecture.Gaussianization g ->
                let anchors = float g.Anchors * d * float g.Layers
                network [ at + ".gaussianization.anchors", g.Anchors; at + ".gaussianization.layers", g.Layers ] "flow" 8.0 (anchors * 2.0 + float g.Layers * d * d) (b * anchors) batch

    let private critic (d: float) (batch: int) (m: Model) =
        let at =
            match m.Objective with
            | Objective.Hybrid _ -> "model.objective.hybrid.adversarial.critic"
            | _ -> "model.objective.adversarial.critic"
        let side = int (round (sqrt d))
        match Model.adversarial m, m.Objective, m.Generator with
        | Some { Critic = CriticNetwork.Mlp c }, _, _ ->
            // A gradient penalty differentiates through the critic: its graph is kept once more.
            network (mlpSizes (at + ".mlp") c) "critic" 4.0 (mlpParameters d 1.0 c) (mlpActivations (float batch) c * 2.0) batch
        | Some { Critic = CriticNetwork.Conv c }, _, _ ->
            conv (at + ".conv.firstChannels") "critic" d batch (2 * batch) (ImageParameters.discriminator side c) c.FirstChannels c.SecondChannels
        | None, Objective.Elbo { Encoder = EncoderNetwork.Mlp e }, _ ->
            let latent =
                match m.Generator with
                | GeneratorSpec.Mlp g -> g.Prior.Dimension
                | GeneratorSpec.Conv g -> g.Latent
                | GeneratorSpec.Flow _ -> int d
            network (mlpSizes "model.objective.elbo.encoder.mlp" e) "encoder" 4.0
                (mlpParameters d (2.0 * float latent) e) (mlpActivations (float batch) e) batch
        | None, Objective.Elbo { Encoder = EncoderNetwork.Conv e }, _ ->
            conv "model.objective.elbo.encoder.conv.firstChannels" "encoder" d batch batch (ImageParameters.encoder side e) e.FirstChannels e.SecondChannels
        | None, _, _ -> []

    /// Every part of `experiment`'s estimate.
    let parts (experiment: Experiment) : MemoryPart list =
        let d = float experiment.Dimension
        let batch = experiment.Budget.BatchSize
        let evaluation =
            let n = max experiment.Evaluation.Samples experiment.Evaluation.FinalSamples
            part [ (if experiment.Evaluation.Samples > experiment.Evaluation.FinalSamples then "evaluation.samples" else "evaluation.finalSamples"), n ]
                "evaluation samples (model and data, a few copies)" (float n * d * 8.0 * 6.0)
        // A finite sample is drawn into one array and copied into its three splits: two float64 copies of every point.
        let data =
            match DataSource.finiteSample experiment.Data with
            | Some sample -> [ part [ "data.sample.points", sample.Points ] "the finite sample (drawn, then split)" (float sample.Points * d * 8.0 * 2.0) ]
            | None -> []
        // Parzen's kernels sit on its model samples, drawn after training (float64, a copy or two).
        let parzen =
            match experiment.Evaluation.Parzen with
            | Some p -> [ part [ "evaluation.parzen.samples", p.Samples ] "the Parzen window's model samples" (float p.Samples * d * 8.0 * 2.0) ]
            | None -> []
        generator d batch experiment.Model.Generator @ critic d batch experiment.Model @ [ evaluation ] @ data @ parzen

    /// Estimated bytes of `experiment`'s run.
    let bytes (experiment: Experiment) = parts experiment |> List.sumBy _.Bytes

    /// "1.5 GB", "3.2 EB": bytes in powers of 1,024 with one decimal.
    let show (bytes: float) =
        let units = [| "bytes"; "KB"; "MB"; "GB"; "TB"; "PB"; "EB"; "ZB"; "YB" |]
        let rec go value i = if value >= 1024.0 && i < units.Length - 1 then go (value / 1024.0) (i + 1) else value, i
        let value, i = go bytes 0
        if i = 0 then sprintf "%.0f bytes" value else sprintf "%.1f %s" value units[i]

    /// Bytes one recorded state of a seed 002 trajectory holds (`Trajectory.run`): its K means and 2K endpoints as
    /// two arrays (24 bytes of header each, 8 a value), a reference to each and its loss, and the three again when the
    /// lists become the trajectory's arrays. 144 for K = 2 (20,000,000 steps measured 3.0 GB).
    let dynamicsBytesPerState (components: int) = 2.0 * 24.0 + 3.0 * float components * 8.0 + 2.0 * (8.0 + 8.0 + 8.0)

    /// The parts of a seed 002 run's estimate, fields named by `names`: its trajectory, steps + 1 states of
    /// `dynamicsBytesPerState`, every one kept (the rest is a few arrays of K values).
    let dynamicsParts (names: GanFlow.Core.Dynamics.DynamicsFieldNames) (spec: GanFlow.Core.Dynamics.DynamicsSpec) : MemoryPart list =
        [ part [ names.Steps, spec.Steps ] "the trajectory's states, every one kept"
              ((float spec.Steps + 1.0) * dynamicsBytesPerState (max 1 spec.TrueMeans.Length)) ]

    /// The refusal of an estimate of `parts` that exceeds `availableBytes`: one error naming the field blamed for the
    /// largest part and its value, the estimate, the part and every field that sets its size, and what is available;
    /// none when it fits.
    let private refusal (availableBytes: float) (parts: MemoryPart list) : SpecError list =
        let total = parts |> List.sumBy _.Bytes
        if total <= availableBytes then []
        else
            let largest = parts |> List.maxBy _.Bytes
            Check.fail largest.Field largest.Value
                (sprintf "the run needs an estimated %s (%s: %s, from %s), more than this machine's %s; make it smaller"
                    (show total) largest.What (show largest.Bytes)
                    (largest.Factors |> List.map (fun (field, value) -> sprintf "%s = %d" (field.Substring(field.LastIndexOf '.' + 1)) value) |> String.concat ", ")
                    (show availableBytes))

    /// The refusal of a spec whose estimate exceeds `availableBytes` (the machine's memory): one error naming the field
    /// blamed for the largest part and its value, the estimate, the part and every field that sets its size, and what is
    /// available; none when it fits.
    let errors (availableBytes: float) (experiment: Experiment) : SpecError list = refusal availableBytes (parts experiment)

    /// The same refusal of a seed 002 run (`ganflow dynamics`, a figure's panel), fields named by `names`.
    let dynamicsErrors (availableBytes: float) (names: GanFlow.Core.Dynamics.DynamicsFieldNames) (spec: GanFlow.Core.Dynamics.DynamicsSpec) =
        refusal availableBytes (dynamicsParts names spec)
