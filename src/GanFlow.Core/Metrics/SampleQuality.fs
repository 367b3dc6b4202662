namespace GanFlow.Core.Metrics

open GanFlow.Core.Numerics
open GanFlow.Core.Datasets
open GanFlow.Core.Experiments

/// Sample-quality scores with the exact classifier a mixture gives: its component posterior p(y|x) (seed 001 sec. 3.2
/// uses a trained classifier on images; on a known mixture the posterior is exact). Pure.
module SampleQuality =

    /// A sample counts as high quality within this many standard deviations of its most likely component's centre
    /// (Srivastava et al. 2017, VEEGAN: three).
    [<Literal>]
    let HighQualityStds = 3.0

    /// A component counts as covered when it holds at least this share of its fair share of the samples (its weight
    /// times their number) among the high-quality ones.
    [<Literal>]
    let CoverageShare = 0.2

    /// KL(p ‖ q) in nats between two distributions on the same labels (0 · log 0 = 0).
    let kl (p: float[]) (q: float[]) =
        Array.fold2 (fun s pi qi -> if pi > 0.0 then s + pi * log (pi / qi) else s) 0.0 p q

    /// The mean of the posteriors: the label distribution p(y) of the samples.
    let marginal (posteriors: float[][]) =
        for p in posteriors do
            Finite.requireAll "a classifier posterior p(y|x)" p |> ignore
        let k = posteriors[0].Length
        Array.init k (fun j -> posteriors |> Array.averageBy (fun p -> p[j]))

    /// Inception score exp(E_x KL(p(y|x) ‖ p(y))) (Salimans et al. 2016): between 1 and the number of labels.
    let inceptionScore (posteriors: float[][]) =
        let py = marginal posteriors
        exp (posteriors |> Array.averageBy (fun p -> kl p py))

    /// MODE score exp(E_x[KL(p(y|x) ‖ p*(y))] − KL(p*(y) ‖ p(y))) (Che et al. 2017; seed 001 sec. 3.2), p* the labels'
    /// distribution in the data (here the mixture weights).
    let modeScore (prior: float[]) (posteriors: float[][]) =
        let py = marginal posteriors
        exp ((posteriors |> Array.averageBy (fun p -> kl p prior)) - kl prior py)

    /// The share of the samples whose most likely label is each label (ties to the lower label): the class histogram of
    /// generated images under a classifier (seed 002 sec. 4's mode coverage on images).
    let labelShares (posteriors: float[][]) =
        let k = posteriors[0].Length
        let counts = Array.zeroCreate k
        for p in posteriors do
            let best = Finite.argMax "a classifier posterior p(y|x)" p
            counts[best] <- counts[best] + 1
        counts |> Array.map (fun c -> float c / float posteriors.Length)

    /// Labels holding at least `CoverageShare` of their fair share `prior` of the samples (the image counterpart of
    /// `ModeScores.ModesCovered`).
    let labelsCovered (prior: float[]) (shares: float[]) =
        Array.fold2 (fun n p s -> if s >= CoverageShare * p then n + 1 else n) 0 prior shares

    /// The mode scores of model samples from a classifier's posteriors p(y|x), one row per sample (images, where the
    /// components are the classes): MODE and Inception scores against uniform class weights, the labels covered;
    /// `HighQuality` NaN (a class has no centre to be near).
    let ofPosteriors (posteriors: float[][]) : ModeScores =
        let k = posteriors[0].Length
        let prior = Array.create k (1.0 / float k)
        { ModeScore = modeScore prior posteriors
          InceptionScore = inceptionScore posteriors
          HighQuality = nan
          ModesCovered = labelsCovered prior (labelShares posteriors) }

    /// Every mode score of row-major `samples` against a mixture `dataset` (`Densities.hasModes`).
    let ofSamples (dataset: Distribution) (samples: float[]) : ModeScores =
        let d = Densities.dimension dataset
        let components = Densities.components dataset
        let prior = components |> Array.map fst
        let centres = components |> Array.map (snd >> Densities.centre)
        let spreads = components |> Array.map (snd >> Densities.spread)
        let points = Finite.requireAll "a model sample" samples |> Array.chunkBySize d
        let posteriors = points |> Array.map (Densities.posterior dataset)
        let counts = Array.zeroCreate components.Length
        let mutable good = 0
        for i in 0 .. points.Length - 1 do
            let p = posteriors[i]
            let k = Finite.argMax "a component posterior p(k|x)" p
            let distance = Array.fold2 (fun s a b -> s + (a - b) * (a - b)) 0.0 points[i] centres[k] |> sqrt
            if distance <= HighQualityStds * spreads[k] then
                good <- good + 1
                counts[k] <- counts[k] + 1
        let n = float points.Length
        { ModeScore = modeScore prior posteriors
          InceptionScore = inceptionScore posteriors
          HighQuality = float good / n
          ModesCovered = Array.fold2 (fun c (count: int) w -> if float count >= CoverageShare * w * n then c + 1 else c) 0 counts prior }
