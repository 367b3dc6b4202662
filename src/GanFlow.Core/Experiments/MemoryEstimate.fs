namespace GanFlow.Core.Experiments

open GanFlow.Core.Specs
open GanFlow.Core.Datasets
open GanFlow.Core.Models

/// One contribution to a run's memory estimate, blamed on the spec field that sets its size.
type MemoryPart =
    { /// Dotted path of the field that sets this part's size (as validation names fields).
      Field: string
      /// The field's value as the user wrote it.
      Value: string
      /// What the part is, in words ("generator parameters with Adam's state", "critic activations").
      What: string
      /// Estimated bytes.
      Bytes: float }

/// A rough estimate of the memory a run needs, from its spec alone, so that a spec that cannot fit the machine is
/// refused before any compute (a width of 10⁹ otherwise allocates for minutes and dies with SIGSEGV). It counts what
/// dominates: every network's parameters with their gradients and Adam's two moments (4 copies), and the
/// activations one training batch keeps for the backward pass (2 copies: values and their gradients), at 4 bytes a
/// value for MLP generators and critics and 8 for flows (which train in float64). Evaluation buffers (the final
/// samples, d values each, a few copies) are added. It is an order of magnitude, not a budget: the check refuses
/// only what exceeds the machine's whole memory.
module MemoryEstimate =

    let private mlpParameters (inputs: float) (outputs: float) (m: Mlp) =
        let w = float m.Width
        inputs * w + w + float (max 0 (m.Depth - 1)) * (w * w + w) + w * outputs + outputs

    let private mlpActivations (batch: float) (m: Mlp) = batch * float m.Width * float m.Depth * 2.0

    /// Parts of a network: its parameters blamed on `widthField`, its activations blamed on the larger of the width
    /// and the batch size.
    let private network widthField (width: int) what bytesPerValue (parameters: float) (activations: float) (batch: int) =
        [ { Field = widthField; Value = string width; What = what + " parameters with gradients and Adam's state"; Bytes = parameters * 4.0 * bytesPerValue }
          { Field = (if width >= batch then widthField else "budget.batchSize")
            Value = string (if width >= batch then width else batch)
            What = what + " activations of one batch"
            Bytes = activations * 2.0 * bytesPerValue } ]

    /// A conv network on side × side images (side = √d): its parameters (`ImageParameters`) and, per image, the
    /// activations of its two feature maps (c₁·(s/2)² and c₂·(s/4)²), kept a few times over by batch norm and autograd.
    let private conv (field: string) what (d: float) (batch: int) (parameters: int) (first: int) (second: int) =
        let side = sqrt d
        let activations = float batch * (float first * (side / 2.0) ** 2.0 + float second * (side / 4.0) ** 2.0 + d) * 4.0
        network field first what 4.0 (float parameters) activations batch

    let private generator (d: float) (batch: int) (g: GeneratorSpec) =
        let b = float batch
        match g with
        | GeneratorSpec.Mlp m ->
            network "model.generator.mlp.network.width" m.Network.Width "generator" 4.0
                (mlpParameters (float m.Prior.Dimension) d m.Network) (mlpActivations b m.Network) batch
        | GeneratorSpec.Conv c ->
            let side = int (round (sqrt d))
            conv "model.generator.conv.firstChannels" "generator" d batch (ImageParameters.generator side c) c.FirstChannels c.SecondChannels
        | GeneratorSpec.Flow f ->
            let at = "model.generator.flow.architecture"
            match f.Architecture with
            | FlowArchitecture.RealNvp r ->
                let net = { Mlp.Default with Width = r.Width; Depth = r.Depth }
                network (at + ".realNvp.width") r.Width "flow" 8.0 (float r.Couplings * mlpParameters d (2.0 * d) net)
                    (float r.Couplings * mlpActivations b net) batch
            | FlowArchitecture.Nice n ->
                let net = { Mlp.Default with Width = n.Width; Depth = n.Depth }
                network (at + ".nice.width") n.Width "flow" 8.0 (float n.Couplings * mlpParameters d d net)
                    (float n.Couplings * mlpActivations b net) batch
            | FlowArchitecture.Ffjord f ->
                let widths = List.map float f.Hidden
                let parameters = List.pairwise ((d + 1.0) :: widths @ [ d ]) |> List.sumBy (fun (a, c) -> (a + 1.0) * c * 2.0)
                let widest = List.max f.Hidden
                network (sprintf "%s.ffjord.hidden[%d]" at (List.findIndex ((=) widest) f.Hidden)) widest "flow" 8.0 parameters
                    (b * List.sum widths * 10.0) batch
            | FlowArchitecture.OtFlow o ->
                let m = float o.Width
                network (at + ".otFlow.width") o.Width "flow" 8.0 (m * m + m * d + float o.Rank * d) (b * m * 8.0) batch
            | FlowArchitecture.Spline s ->
                // Per layer: the coupling net d → width^depth → d·(3K − 1) (1-D: the 3K − 1 free parameters), and about
                // 30 float64 temporaries of [batch, d, K + 1] for the knots, bins and the rational-quadratic terms.
                let perCoordinate = float (3 * s.Bins - 1)
                let net = { Mlp.Default with Width = s.Width; Depth = s.Depth }
                let parameters = if d = 1.0 then perCoordinate else mlpParameters d (d * perCoordinate) net
                network (at + ".spline.width") s.Width "flow" 8.0 (float s.Layers * parameters)
                    (float s.Layers * (mlpActivations b net + b * d * float (s.Bins + 1) * 30.0)) batch
            | FlowArchitecture.Gaussianization g ->
                let anchors = float g.Anchors * d * float g.Layers
                network (at + ".gaussianization.anchors") g.Anchors "flow" 8.0 (anchors * 2.0 + float g.Layers * d * d) (b * anchors) batch

    let private critic (d: float) (batch: int) (m: Model) =
        let at =
            match m.Objective with
            | Objective.Hybrid _ -> "model.objective.hybrid.adversarial.critic"
            | _ -> "model.objective.adversarial.critic"
        let side = int (round (sqrt d))
        match Model.adversarial m, m.Objective, m.Generator with
        | Some { Critic = CriticNetwork.Mlp c }, _, _ ->
            // A gradient penalty differentiates through the critic: its graph is kept once more.
            network (at + ".mlp.width") c.Width "critic" 4.0 (mlpParameters d 1.0 c) (mlpActivations (float batch) c * 2.0) batch
        | Some { Critic = CriticNetwork.Conv c }, _, _ ->
            conv (at + ".conv.firstChannels") "critic" d (2 * batch) (ImageParameters.discriminator side c) c.FirstChannels c.SecondChannels
        | None, Objective.Elbo { Encoder = EncoderNetwork.Mlp e }, _ ->
            let latent =
                match m.Generator with
                | GeneratorSpec.Mlp g -> g.Prior.Dimension
                | GeneratorSpec.Conv g -> g.Latent
                | GeneratorSpec.Flow _ -> int d
            network "model.objective.elbo.encoder.mlp.width" e.Width "encoder" 4.0
                (mlpParameters d (2.0 * float latent) e) (mlpActivations (float batch) e) batch
        | None, Objective.Elbo { Encoder = EncoderNetwork.Conv e }, _ ->
            conv "model.objective.elbo.encoder.conv.firstChannels" "encoder" d batch (ImageParameters.encoder side e) e.FirstChannels e.SecondChannels
        | None, _, _ -> []

    /// Every part of `experiment`'s estimate.
    let parts (experiment: Experiment) : MemoryPart list =
        let d = float experiment.Dimension
        let batch = experiment.Budget.BatchSize
        let evaluation =
            let n = max experiment.Evaluation.Samples experiment.Evaluation.FinalSamples
            { Field = "evaluation.finalSamples"; Value = string n; What = "evaluation samples (model and data, a few copies)"; Bytes = float n * d * 8.0 * 6.0 }
        generator d batch experiment.Model.Generator @ critic d batch experiment.Model @ [ evaluation ]

    /// Estimated bytes of `experiment`'s run.
    let bytes (experiment: Experiment) = parts experiment |> List.sumBy _.Bytes

    /// "1.5 GB", "3.2 EB": bytes in powers of 1,024 with one decimal.
    let show (bytes: float) =
        let units = [| "bytes"; "KB"; "MB"; "GB"; "TB"; "PB"; "EB"; "ZB"; "YB" |]
        let rec go value i = if value >= 1024.0 && i < units.Length - 1 then go (value / 1024.0) (i + 1) else value, i
        let value, i = go bytes 0
        if i = 0 then sprintf "%.0f bytes" value else sprintf "%.1f %s" value units[i]

    /// The refusal of a spec whose estimate exceeds `availableBytes` (the machine's memory): one error naming the field
    /// of the largest part, its value, the estimate and what is available; none when it fits.
    let errors (availableBytes: float) (experiment: Experiment) : SpecError list =
        let parts = parts experiment
        let total = parts |> List.sumBy _.Bytes
        if total <= availableBytes then []
        else
            let largest = parts |> List.maxBy _.Bytes
            Check.fail largest.Field largest.Value
                (sprintf "the run needs an estimated %s (%s: %s), more than this machine's %s; make it smaller"
                    (show total) largest.What (show largest.Bytes) (show availableBytes))
