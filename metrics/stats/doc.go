// Package stats owns the statistics that let a team lead tell a real
// difference between branches from noise: confidence intervals for every
// ratio and mean KPI, shrunken estimates for small branches, two-group tests
// (branch vs branch, branch vs the rest of the fleet, this period vs the
// previous one), false-discovery-rate control when a whole fleet is screened
// at once, and measures of how evenly the fleet performs.
//
// The package is pure: it takes counts, summaries or samples and returns
// numbers. It never reads ClickHouse and never logs.
//
// # Scales
//
// Proportions (CSAT share, SLA attainment, on-time share, promise kept, FCR)
// are ratios in [0, 1]. NPS is in points, −100…100, and a difference of two
// NPS values is in points too. Means keep the unit of their input (seconds,
// score points). A value that does not exist (the estimate of an empty group,
// a p-value without data) is NaN, never a fake 0; an interval with no
// information is [−Inf, +Inf] (or the whole range of a bounded KPI).
//
// # Levels
//
// Every function with a level takes the two-sided confidence level in (0, 1);
// 0 selects DefaultLevel (0.95). The false discovery rate works the same way
// with DefaultFDR (0.05). Other values are a programming error and panic:
// configuration is validated where it is read.
//
// # Methods and references
//
// Intervals for one group:
//   - Proportions: Wilson score interval (Wilson 1927, JASA 22:209–212),
//     which keeps its coverage near the nominal level for small n and for p
//     near 0 or 1 where the Wald interval fails (Newcombe 1998, Stat Med
//     17:857–872, "method 3"; Agresti & Coull 1998, Am Stat 52:119–126).
//   - NPS: adjusted Wald (Rocks 2016, "Interval estimation for the net
//     promoter score", Am Stat 70:365–372): add ¾ to promoters and detractors
//     and 3/2 to passives, p̂ = (P+¾)/(N+3), d̂ = (D+¾)/(N+3),
//     SE = √((p̂+d̂−(p̂−d̂)²)/(N+3)), interval 100·((p̂−d̂) ± q·SE) with q a
//     normal quantile from N = 30 on and a Student t quantile (df = N−1)
//     below, clamped to [−100, 100].
//   - Means (CSAT mean score, CES, mean response time): Student t interval.
//
// Two-group tests (Test): the first group minus the second.
//   - Proportions: pooled two-proportion z test, or Fisher's exact test when
//     an expected cell count is below 5 (Cochran 1954, Biometrics 10:417–451)
//     or a group has fewer than 30 answers (a 200-branch screen acts on
//     p-values far in the tails, where the normal approximation of a small
//     skewed sample is too optimistic on one side); the interval of the
//     difference is Newcombe's hybrid score interval
//     (Newcombe 1998, Stat Med 17:873–890, "method 10"), built from the two
//     Wilson intervals, so it behaves at 0/n and n/n where Wald does not.
//   - NPS: a z test of the difference of the mean −1/0/+1 scores with the
//     variance of the pooled multinomial under the null hypothesis (pooled,
//     because a small branch whose answers are all promoters has a sample
//     variance of 0 and would otherwise look infinitely certain), or below
//     30 answers in a group the exact permutation test of the same
//     difference (multivariate hypergeometric given the pooled answers); the
//     interval of the difference adds Rocks' pseudo-counts to each group, as
//     Agresti & Caffo (2000, Am Stat 54:280–288) do for proportions.
//   - Means: Welch's t test with Welch–Satterthwaite degrees of freedom
//     (Welch 1947, Biometrika 34:28–35).
//   - Samples (response times): Mann–Whitney U with the normal approximation,
//     tie correction and continuity correction (Mann & Whitney 1947, Ann Math
//     Stat 18:50–60; Lehmann 1975, Nonparametrics §1.4); the effect is the
//     Hodges–Lehmann shift, the median of all pairwise differences (Hodges &
//     Lehmann 1963, Ann Math Stat 34:598–611), with Moses' distribution-free
//     interval (Hollander & Wolfe 1999, Nonparametric Statistical Methods
//     §4.3). Response times are skewed and heavy-tailed: a rank test is not
//     moved by one ticket that waited a week.
//
// Retention by service experience (metrics/kpi, retention_experience) is
// CompareProportions of the retention of the customers without a bad
// experience minus that of those with one: a small group against a large
// one, the regime where Wald intervals undercover and Newcombe's hybrid
// score interval holds its level (retention_sim_test.go checks coverage,
// size and power by seeded simulation). Both groups are the same window's
// customers, disjoint, so the two samples are independent.
//
// The same tests serve a change over time: pass this period as the first
// group and the previous one as the second. They treat the periods as
// independent samples; repeat customers make the two periods positively
// correlated, which makes the tests conservative, not liberal.
//
// Branches against the standard (FunnelProportions, FunnelNPS,
// FunnelMedians; what compare and the overview use): the funnel plot of
// Spiegelhalter (2005, "Funnel plots for comparing institutional
// performance", Stat Med 24:1185–1202) with the overdispersion handling of
// Spiegelhalter, Sherlaw-Johnson, Bardsley et al. (2012, "Statistical methods
// for healthcare regulation: rating, screening and surveillance", JRSS A
// 175:1–47). Each branch is compared with the standard of the typical
// branch, not with the pooled fleet, which the outliers themselves drag: with
// 10 % of the branches truly worse, the pool moves toward them and ordinary
// branches get flagged "above" (a quarter of all flags in the simulations of
// funnel_sim_test.go). The standard θ₀ is the weighted median of the branch
// values (weights 1/SE, the efficient ones for a weighted median), refitted
// once the between-branch variance is known; the overdispersion φ̂ is the
// mean square of the z-scores winsorised at 10 % each end, divided by the
// winsorised normal's second moment so that it is 1 without overdispersion;
// the additive between-branch variance is τ² = max(0, (Iφ̂ − (I − 1))/(Σwᵢ −
// Σwᵢ²/Σwᵢ)) with wᵢ = 1/SEᵢ²; each branch's z is (yᵢ − θ₀)/√(SEᵢ² + τ²),
// its two-sided p-value normal, and below 30 answers (for medians at every
// size) the larger of that and the exact p-value at the standard (binomial,
// the trinomial of −1/0/+1 answers, the sign test). Benjamini–Hochberg over
// the fleet holds the FDR. The SE of one branch under the null is
// √(θ₀(1 − θ₀)/n) for a proportion, the pooled within-branch SD of the
// −100/0/+100 score over √n for NPS, and for a median 1/(2f(m)√n), with
// 1/(2f(m)) read off the order-statistic interval of the fleet's pooled
// median. The shrunken estimate of the league is θ₀ + τ²/(τ² + SEᵢ²)·(yᵢ −
// θ₀), the empirical-Bayes posterior mean of the same random-effects model.
//
// Many groups at once: Benjamini & Hochberg (1995, JRSS B 57:289–300) step-up
// adjusted p-values (q-values). Each branch is tested against the rest of the
// fleet (the fleet minus the branch, so that a big branch is not compared
// with itself) and flagged above or below by the sign of its effect. BH
// controls the false discovery rate for independent or positively dependent
// tests (Benjamini & Yekutieli 2001, Ann Stat 29:1165–1188), and directing
// each flag by the sign of its two-sided test keeps the share of flags with
// the wrong direction under the same bound (Benjamini & Yekutieli 2005, JASA
// 100:71–81). The tests of one screen share the fleet, so they are mildly
// positively dependent, the case the 2001 paper covers.
//
// Small branches: empirical Bayes shrinkage (Efron & Morris 1975, JASA
// 70:311–319; Morris 1983, JASA 78:47–55). Every KPI is treated as a mean of
// per-answer values (0/1 for a proportion, −100/0/+100 for NPS, the score or
// the seconds for a mean); true branch values are drawn from a fleet
// distribution with mean μ and variance τ², and a branch's observed value
// has sampling variance σ²/n around its true value. τ² and σ² are fitted by
// the method of moments of the unbalanced one-way random-effects ANOVA
// (Searle, Casella & McCulloch 1992, Variance Components §3.6), μ by
// precision weighting, and a branch's estimate is μ + n/(n+m)·(raw − μ) with
// m = σ²/τ². For a proportion this is exactly the posterior mean of a
// beta-binomial model with a Beta(μm, (1−μ)m) prior fitted by moments (the
// ANOVA estimator of the intraclass correlation for binary data: Ridout,
// Demétrio & Firth 1999, Biometrics 55:137–148); for NPS it is the
// normal–normal model on the −1/0/+1 score. A branch with 12 answers then
// moves most of the way to the fleet mean and cannot top the league by luck.
//
// Consistency: the sample-size weighted mean, standard deviation and
// coefficient of variation of the branch values, the between-branch standard
// deviation √τ² (the spread that is left once sampling noise is removed), the
// intraclass correlation τ²/(τ²+σ²), and the reliability 1 − MSW/MSB (the
// share of the spread of branch values that is real: ICC(1,k) of Shrout &
// Fleiss 1979, Psychol Bull 86:420–428).
package stats
