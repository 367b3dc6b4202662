namespace GanFlow.Core.Metrics

/// The exact `NeighbourSearch`es of the core: a k-d tree, a blocked scan, and the choice between them by dimension.
/// They give identical answers; only their cost differs.
module NeighbourSearches =

    /// A k-d tree over the references, built per question (O(n log² n), small beside the queries).
    let kdTree: NeighbourSearch =
        let nearest queries references k =
            Neighbours.require queries references k
            KdTree.nearest (KdTree.build references) queries k
        let ballCounts queries references squaredRadii firstOnly =
            Neighbours.require queries references 1
            KdTree.ballCounts (KdTree.build references) queries squaredRadii firstOnly
        { Nearest = nearest; BallCounts = ballCounts; Incidence = Neighbours.incidenceFrom nearest ballCounts }

    /// The blocked scan of every pair (incidence in one pass).
    let blocked: NeighbourSearch =
        { Nearest = BlockedScan.nearest; BallCounts = BlockedScan.ballCounts; Incidence = BlockedScan.incidence }

    /// Highest dimension where the k-d tree is used; above it, the blocked scan (measured with `ganflow bench`).
    [<Literal>]
    let KdTreeMaxDimension = 6

    /// The k-d tree up to `KdTreeMaxDimension` dimensions, the blocked scan above.
    let exact: NeighbourSearch =
        { Nearest = fun queries references k ->
            if references.Dimension <= KdTreeMaxDimension then kdTree.Nearest queries references k
            else blocked.Nearest queries references k
          BallCounts = fun queries references squaredRadii firstOnly ->
            if references.Dimension <= KdTreeMaxDimension then kdTree.BallCounts queries references squaredRadii firstOnly
            else blocked.BallCounts queries references squaredRadii firstOnly
          Incidence = fun queries references referenceRadii queryRadii ->
            if references.Dimension <= KdTreeMaxDimension then kdTree.Incidence queries references referenceRadii queryRadii
            else blocked.Incidence queries references referenceRadii queryRadii }
