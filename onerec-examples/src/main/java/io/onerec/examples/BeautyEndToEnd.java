package io.onerec.examples;

import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.PriorFusion;
import io.onerec.api.ItemPrior;
import io.onerec.api.Generator;
import io.onerec.api.ItemEmbeddings;
import io.onerec.api.checkpoint.Checkpoint;
import io.onerec.api.checkpoint.ItemEmbeddingsFile;
import io.onerec.api.ProgressListener;
import io.onerec.api.TrainingHistory;
import io.onerec.api.TrainingProgress;
import io.onerec.api.UserHistory;
import io.onerec.tools.data.Datasets;
import io.onerec.tools.data.InteractionSequences;
import io.onerec.tools.data.ItemIndex;
import io.onerec.api.ItemMetadata;
import io.onerec.tools.data.LeaveOneOutSplit;
import io.onerec.tools.data.NextItemExample;
import io.onerec.tools.data.UserFolds;
import io.onerec.tools.eval.BatchRecommender;
import io.onerec.tools.eval.EvaluationResult;
import io.onerec.tools.eval.Evaluator;
import io.onerec.tools.eval.PopularityBaseline;
import io.onerec.tools.eval.TransitionBaseline;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.spi.Backend;
import io.onerec.api.spi.Backends;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.core.codec.ResidualCodecFitter;
import io.onerec.tools.embed.ItemEmbeddingBuilder;
import io.onerec.tools.text.OnnxSentenceEncoder;
import io.onerec.libtorch.Torch;
import io.onerec.libtorch.dist.DataParallelGroup;
import io.onerec.libtorch.generator.TorchGeneratorModel;
import io.onerec.libtorch.generator.GeneratorTrainer;
import io.onerec.api.generator.ItemHead;
import io.onerec.libtorch.generator.SequenceExample;
import io.onerec.libtorch.generator.StreamingWindows;
import io.onerec.libtorch.generator.GeneratorTrainerConfig;
import io.onerec.libtorch.baseline.HeldOutFold;
import io.onerec.libtorch.baseline.SasRecModel;
import io.onerec.libtorch.baseline.SasRecPrior;
import io.onerec.libtorch.baseline.SasRecConfig;
import io.onerec.libtorch.baseline.SasRecRecommender;
import io.onerec.libtorch.baseline.SasRecTrainer;
import io.onerec.libtorch.baseline.SasRecTrainerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A sequence data set end to end (Amazon Beauty unless {@code --data FILE}): raw files -> item embeddings -> semantic-ID
 * codec -> OneRec generator trained on LibTorch -> Recall/NDCG@5/10 on the leave-one-out test and validation splits,
 * side by side with popularity and an item-to-item transition table on the same users, and the generator with that
 * table fused into its beam search ({@link PriorFusion}, weight chosen on validation) -> sample recommendations.
 * Checkpoints go to {@code --out} and are reloaded through the backend SPI, so the metrics are computed by the same
 * code path a service would use.
 *
 * <p>The generator by default: item-ID embeddings beside the code embeddings, a causal encoder trained on whole
 * sequence windows, BOS reading the latest encoder state, dropout 0 (quick) or 0.05 ({@code --full}; docs/generator-quality.md
 * has the ablation), the transition table distilled into its training targets; the quick run (d=64) first trains a
 * SASRec for 4 minutes that joins the teacher, then the generator for 8.
 * Main flags: {@code --full} (d=128, 45 minutes, the table alone as teacher unless {@code --distill-sasrec}, validation
 * on 3,000 users, test on all), {@code --minutes N} (the generator's budget),
 * {@code --epochs N}, {@code --out DIR}, {@code --eval-users N} (a seeded random sample; 0 = all), {@code --data FILE},
 * {@code --backend cpu|libtorch} (serving backend), {@code --reuse} (evaluate the checkpoints in {@code --out}),
 * {@code --code-softmax codebook|trie} (the generator rows' head normalisation, docs/generator-model.md),
 * {@code --resume DIR} (continue a stopped run from its training state), {@code --stream} (read the training windows
 * from the sequence file every epoch through a shuffle buffer of {@code --shuffle-buffer N} windows, default 10,000,
 * instead of holding them); model and training flags are listed by
 * {@code Options.parse}. Progress shows as a bar with an ETA on a terminal ({@link ProgressBar}); the run ends by
 * writing {@code report.md} with charts (loss and validation per epoch, codebook utilisation) into {@code --out}.
 */
public final class BeautyEndToEnd {
    private static final Logger LOG = LoggerFactory.getLogger(BeautyEndToEnd.class);
    /** Below this share of repeat targets in the training data, "--exclude-history auto" leaves history items out. */
    static final double MAX_REPEAT_SHARE_TO_EXCLUDE = 0.01;
    /** Share of each training target given to the distilled transition table when --distill is not given. */
    static final double DEFAULT_DISTILL_SHARE = 0.8;
    /** The quick run's budgets (no --full): a SASRec teacher first, then the generator. */
    static final int QUICK_SASREC_MINUTES = 4, QUICK_GENERATOR_MINUTES = 8;
    /**
     * Dropout of a SASRec trained as a teacher ("--distill-sasrec train:M"): 0.3 learns faster than the yardstick's 0.5
     * (validation R@10 .073 against .065 after four epochs) and ends within 2% of it on test (docs/baselines.md).
     */
    static final double TEACHER_SASREC_DROPOUT = 0.3;

    /**
     * Flags. Model and training flags default by {@code --full}; {@code -1} / {@code NaN} / null mean "the preset's".
     */
    record Options(boolean full, double minutes, int epochs, Path out, int evalUsers, String backend, boolean reuse,
                   int dModel, int layers, int dFf, double dropout, boolean itemEmbeddings, double lr, int batch,
                   int validUsers, int patience, double weightDecay, boolean causal, boolean bosReadsLast,
                   Path resume, int beam, Path data, String codecEmbeddings, int validEvery, double[] fusionWeights,
                   double fusionBackground, double trainFusion, int fusionWindow,
                   boolean stream, int shuffleBuffer, int worldSize, int rank, String rendezvous, double fusionReverse,
                   String excludeHistory, DecodingOptions.CodeSoftmax codeSoftmax, double distill, String distillSasRec,
                   double distillMix, double finalLrShare, int encoderLayers, int moeExperts, int moeTopK,
                   Torch.Precision precision, String fusionPrior, double itemHead) {
        static Options parse(String[] args) {
            boolean full = false;
            double minutes = -1;
            int epochs = -1, evalUsers = -1;
            Path out = Path.of("runs/beauty");
            String backend = null;
            boolean reuse = false;
            int dModel = -1, layers = -1, dFf = -1, batch = -1, validUsers = -1, patience = -1;
            double dropout = Double.NaN, lr = Double.NaN, weightDecay = Double.NaN;
            Boolean itemEmb = null, causal = null, bosLast = null;
            Path resume = null;
            int beam = 20;
            Path data = null;
            String codecEmb = "built";
            int validEvery = 1;
            // The transition table fused into the generator's beam search is part of what the example shows; "none" turns it off.
            double[] fusionWeights = {1, 2, 4};
            double fusionBackground = 0.1;
            double trainFusion = 0;
            int fusionWindow = TransitionBaseline.DEFAULT_WINDOW;
            boolean stream = false;
            int shuffleBuffer = 10_000;
            int worldSize = 1, rank = 0;
            DecodingOptions.CodeSoftmax codeSoftmax = DecodingOptions.CodeSoftmax.CODEBOOK;
            String rendezvous = null;
            double fusionReverse = 0;
            String excludeHistory = "auto";
            double distill = Double.NaN;
            String distillSasRec = null;
            double distillMix = 0.5;
            double finalLrShare = GeneratorTrainerConfig.DEFAULT_FINAL_LEARNING_RATE_SHARE;
            int encoderLayers = -1, moeExperts = 0, moeTopK = 0;
            Torch.Precision precision = null;
            String fusionPrior = "table";
            double itemHead = 0;
            FlagReader f = new FlagReader(args);
            while (f.next()) {
                switch (f.flag()) {
                    case "--full" -> full = true;
                    case "--minutes" -> minutes = f.positive();
                    case "--epochs" -> epochs = f.count(1);
                    case "--out" -> out = f.path();
                    case "--eval-users" -> evalUsers = f.count(0); // 0 = all
                    case "--backend" -> backend = f.text();
                    case "--reuse" -> reuse = true;
                    case "--d-model" -> dModel = f.count(1);
                    case "--layers" -> layers = f.count(1);
                    case "--encoder-layers" -> encoderLayers = f.count(1);
                    case "--moe" -> {
                        // GeneratorConfig checks the same range, but only after the codec fit; a bad flag fails here at once.
                        String moe = f.text();
                        String[] ek = moe.split(":");
                        if (ek.length != 2) throw new IllegalArgumentException("--moe takes EXPERTS:TOP_K, e.g. 8:1, not " + moe);
                        try {
                            moeExperts = Integer.parseInt(ek[0].trim());
                            moeTopK = Integer.parseInt(ek[1].trim());
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--moe takes EXPERTS:TOP_K, e.g. 8:1, not " + moe);
                        }
                        if (moeExperts < 2 || moeTopK < 1 || moeTopK > moeExperts) {
                            throw new IllegalArgumentException("--moe needs at least 2 experts and 1 <= top-k <= experts, got " + moe);
                        }
                    }
                    case "--d-ff" -> dFf = f.count(1);
                    case "--dropout" -> dropout = f.fraction();
                    case "--item-embeddings" -> itemEmb = f.bool();
                    case "--lr" -> lr = f.positive();
                    case "--final-lr" -> finalLrShare = f.share();
                    case "--batch" -> batch = f.count(1);
                    case "--valid-users" -> validUsers = f.count(0);
                    case "--patience" -> patience = f.count(1);
                    // Validate every N epochs (validation time counts against the training budget).
                    case "--valid-every" -> validEvery = f.count(1);
                    case "--weight-decay" -> weightDecay = f.nonNegative();
                    case "--causal" -> causal = f.bool();
                    case "--bos-last-state" -> bosLast = f.bool();
                    // A stopped run's state (written to <out>/training-state) to continue; give its flags again.
                    case "--resume" -> resume = f.path();
                    case "--beam" -> beam = f.count(1);
                    case "--data" -> data = f.path();
                    // What the codec clusters: "built" (content LSA + PPMI, the default), "text" (all-MiniLM-L6-v2 over
                    // titles + PPMI), "file:PATH" (an item table
                    // written by ItemEmbeddingsFile, e.g. SASRec's from BaselinesExample), "built+file:PATH" (both).
                    case "--codec-embeddings" -> codecEmb = f.text();
                    // Weights to try for the transition table fused into the generator's beam search; the one with the
                    // best validation NDCG@10 is reported on test (e.g. "1,2,4"; "none": no fusion row).
                    case "--fusion" -> {
                        String w = f.text();
                        fusionWeights = w.equals("none") ? new double[0] : fusionWeights(w);
                    }
                    case "--fusion-background" -> fusionBackground = f.nonNegative();
                    // Train the generator's item head beside its codes at this loss weight (GeneratorTrainer.withItemHead;
                    // 0 = off); --fusion-prior item-head serves it fused into the beam search.
                    case "--item-head" -> itemHead = f.nonNegative();
                    // What the fusion rows fuse into the generator's beam search: the transition table (the default), the
                    // SASRec teacher of --distill-sasrec ("sasrec"), or both as the teacher's mixture at --distill-mix
                    // ("teacher"), or the generator's own item head ("item-head", trained with --item-head). The first
                    // three are blends with other models, not the generator's own number.
                    case "--fusion-prior" -> {
                        fusionPrior = f.text();
                        if (!FUSION_PRIORS.contains(fusionPrior)) {
                            throw new IllegalArgumentException("--fusion-prior must be one of " + FUSION_PRIORS + ", not " + fusionPrior);
                        }
                    }
                    // Train the generator as a product of experts with the transition table at this weight (and serve
                    // it so); give it again with --reuse.
                    case "--train-fusion" -> trainFusion = f.nonNegative();
                    // Distil the transition table into the generator: this share of every code's training target is
                    // the table's distribution under the target's prefix (GeneratorTrainer.withDistillation); the
                    // generator is still served alone (the fusion rows fuse it with the table on top).
                    case "--distill" -> distill = f.share();
                    // SASRec as a second teacher: the distilled distribution is the mixture (1 - S) table + S SASRec
                    // (history items left out of SASRec's), S from --distill-mix. "train:M" trains one for M minutes
                    // first (saved to <out>/sasrec and shown as a row); anything else is a trained SASRec's directory
                    // (e.g. BaselinesExample's <out>/sasrec), or several, comma-separated: one ensemble (mean log-softmax).
                    case "--distill-sasrec" -> distillSasRec = f.text();
                    case "--distill-mix" -> distillMix = f.share();
                    // How many recent history items vote in the fused table (the yardstick row keeps 3).
                    case "--fusion-window" -> fusionWindow = f.count(1);
                    // Share of the fused prior given to the reversed table ("what is bought before this").
                    case "--fusion-reverse" -> fusionReverse = f.share();
                    // Training windows read from the sequence file every epoch (StreamingWindows) instead of held in
                    // memory, shuffled through a buffer of --shuffle-buffer windows.
                    case "--stream" -> stream = true;
                    case "--shuffle-buffer" -> shuffleBuffer = f.count(1);
                    // Data-parallel training on c10d/Gloo (scripts/train-data-parallel.sh starts the processes):
                    // every process runs this same command with its --rank; rank 0 evaluates and saves.
                    case "--world-size" -> worldSize = f.count(1);
                    case "--rank" -> rank = f.count(0);
                    case "--rendezvous" -> rendezvous = f.text();
                    // Leave the user's history out of the generator's lists: "auto" when under 1% of the training
                    // targets repeat an item of their history (LeaveOneOutSplit.repeatShare), or "true" / "false".
                    case "--exclude-history" -> {
                        excludeHistory = f.text();
                        if (!List.of("auto", "true", "false").contains(excludeHistory)) {
                            throw new IllegalArgumentException("--exclude-history must be auto, true or false, not " + excludeHistory);
                        }
                    }
                    // The generator rows' head normalisation (docs/generator-model.md, "Head normalisation").
                    case "--code-softmax" -> codeSoftmax = codeSoftmax(f.text());
                    // The training's matrix products (GeneratorTrainer.withPrecision): fp32, or bf16 under autocast
                    // (weights, gradients and AdamW stay fp32); unset = -Donerec.torch.precision, else fp32.
                    case "--precision" -> precision = Torch.Precision.parse(f.text(), "--precision");
                    default -> throw f.unknown("--full --minutes N --epochs N --out DIR --eval-users N --backend cpu|libtorch --reuse"
                            + " --d-model N --layers N --encoder-layers N --d-ff N --moe E:K --dropout P --item-embeddings true|false --lr X --final-lr SHARE --batch N"
                            + " --valid-users N --valid-every N --patience N --weight-decay X --causal true|false --bos-last-state true|false"
                            + " --resume DIR --beam N --data FILE --codec-embeddings built|text|file:PATH|built+file:PATH"
                            + " --fusion W1,W2,...|none --fusion-prior table|sasrec|teacher|item-head --item-head W --fusion-background B --fusion-window N --fusion-reverse S --train-fusion W --distill S --distill-sasrec DIR[,DIR...]|train:M|none --distill-mix S"
                            + " --stream --shuffle-buffer N --world-size N --rank R --rendezvous file:PATH|tcp:HOST:PORT"
                            + " --exclude-history auto|true|false --code-softmax codebook|trie --precision fp32|bf16");
                }
            }
            if (precision == null) precision = Torch.Precision.fromSystemProperty();
            if (minutes < 0) minutes = full ? 45 : QUICK_GENERATOR_MINUTES;
            if (epochs < 0) epochs = full ? 200 : 20;
            // The quick run tests a seeded random sample of users so that it finishes in minutes on 2 cores; --full tests all.
            if (evalUsers < 0) evalUsers = full ? 0 : 3000;
            if (dModel < 0) dModel = full ? 128 : 64;
            if (layers < 0) layers = 2;
            // --layers sets both stacks; --encoder-layers overrides the encoder's (per training window the encoder reads
            // one position per history item, the decoder BOS + codes for every target, so encoder depth is the cheaper).
            if (encoderLayers < 0) encoderLayers = layers;
            if (dFf < 0) dFf = 4 * dModel;
            // Distillation's soft targets regularise on their own: the 4-minute run never reaches overfitting and learns
            // fastest without dropout (no masks: 30% more steps); the 47-minute run without dropout overfits by mid-schedule
            // and did best at 0.05 (docs/generator-quality.md, ninth session).
            if (Double.isNaN(dropout)) dropout = full ? 0.05 : 0;
            if (itemEmb == null) itemEmb = true;
            if (causal == null) causal = true;
            if (bosLast == null) bosLast = true;
            if (Double.isNaN(lr)) lr = 3e-3;
            if (batch < 0) batch = 64;
            if (validUsers < 0) validUsers = full ? 3000 : 1000;
            if (patience < 0) patience = full ? 10 : 3; // a 2,000-3,000-user validation moves by ~.006 R@10 between epochs
            if (Double.isNaN(weightDecay)) weightDecay = 0.01;
            if (Double.isNaN(distill)) {
                // The table distilled into the generator's training targets at this share (0 = plain training), chosen
                // on validation (docs/generator-quality.md); it needs sequence training and excludes product of experts.
                distill = causal && trainFusion == 0 ? DEFAULT_DISTILL_SHARE : 0;
            } else if (distill > 0 && (!causal || trainFusion > 0)) {
                throw new IllegalArgumentException("--distill needs --causal true (sequence training) and no --train-fusion");
            }
            if (distillSasRec == null) {
                // The quick run trains a SASRec teacher first: with the table as its only teacher the generator stays
                // under the table alone however long it trains; a 4-minute SASRec in the teacher puts it ahead
                // (docs/generator-quality.md, tenth session). --full keeps the table alone unless told (its bar runs
                // load trained SASRecs); data-parallel runs need a trained one; plain training has no teacher at all.
                distillSasRec = !full && worldSize == 1 && distill > 0 ? "train:" + QUICK_SASREC_MINUTES : null;
            } else if (distillSasRec.equals("none")) {
                distillSasRec = null;
            }
            boolean fusesSasRec = fusionPrior.equals("sasrec") || fusionPrior.equals("teacher");
            if (fusesSasRec && distillSasRec == null) {
                throw new IllegalArgumentException("--fusion-prior " + fusionPrior + " fuses the SASRec of --distill-sasrec, and there is none");
            }
            if (!fusionPrior.equals("table") && trainFusion > 0) {
                throw new IllegalArgumentException("--train-fusion serves the generator with the table it was trained with; --fusion-prior "
                        + fusionPrior + " does not apply");
            }
            if (distillSasRec != null && !(distill > 0)) throw new IllegalArgumentException("--distill-sasrec needs --distill > 0");
            if (distillSasRec != null && distillSasRec.startsWith("train:") && !(sasRecMinutes(distillSasRec) > 0)) {
                throw new IllegalArgumentException("--distill-sasrec train:M needs minutes M > 0, got " + distillSasRec);
            }
            if (itemHead > 0 && !causal) throw new IllegalArgumentException("--item-head trains on sequence windows, which need --causal true");
            if (fusionPrior.equals("item-head") && itemHead == 0 && !reuse) {
                throw new IllegalArgumentException("--fusion-prior item-head fuses the item head that --item-head W trains; give both");
            }
            if (stream && !causal) throw new IllegalArgumentException("--stream trains sequence windows, which need --causal true");
            if (worldSize > 1 && distillSasRec != null && distillSasRec.startsWith("train:")) {
                throw new IllegalArgumentException("--world-size > 1 distils a SASRec teacher from its directory only: train it first"
                        + " (BaselinesExample) and give --distill-sasrec DIR");
            }
            if (worldSize > 1 && (rendezvous == null || !causal || stream)) {
                throw new IllegalArgumentException("--world-size > 1 needs --rendezvous, --causal true and in-memory windows (no --stream)");
            }
            return new Options(full, minutes, epochs, out, evalUsers, backend, reuse, dModel, layers, dFf, dropout, itemEmb,
                    lr, batch, validUsers, patience, weightDecay, causal, bosLast, resume, beam, data, codecEmb, validEvery,
                    fusionWeights, fusionBackground, trainFusion, fusionWindow,
                    stream, shuffleBuffer, worldSize, rank, rendezvous, fusionReverse, excludeHistory, codeSoftmax, distill,
                    distillSasRec, distillMix, finalLrShare, encoderLayers, moeExperts, moeTopK, precision, fusionPrior, itemHead);
        }

        /** The values of {@code --fusion-prior}. */
        static final List<String> FUSION_PRIORS = List.of("table", "sasrec", "teacher", "item-head");

        /** "--fusion W1,W2,...": the weights, each a number >= 0. */
        static double[] fusionWeights(String list) {
            String[] parts = list.split(",");
            double[] w = new double[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    w[i] = Double.parseDouble(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--fusion takes comma-separated weights or none, got " + list);
                }
                if (!(w[i] >= 0) || Double.isInfinite(w[i])) {
                    throw new IllegalArgumentException("--fusion weights must be finite and >= 0, got " + list);
                }
            }
            return w;
        }

        /** The SASRec teacher's training budget of "--distill-sasrec train:M", or NaN when it is loaded instead. */
        static double sasRecMinutes(String distillSasRec) {
            if (distillSasRec == null || !distillSasRec.startsWith("train:")) return Double.NaN;
            try {
                return Double.parseDouble(distillSasRec.substring(6));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--distill-sasrec train:M needs a number of minutes, got " + distillSasRec);
            }
        }

        static DecodingOptions.CodeSoftmax codeSoftmax(String name) {
            return switch (name) {
                case "codebook" -> DecodingOptions.CodeSoftmax.CODEBOOK;
                case "trie" -> DecodingOptions.CodeSoftmax.TRIE;
                default -> throw new IllegalArgumentException("--code-softmax must be codebook or trie, got " + name);
            };
        }
    }

    public static void main(String[] args) {
        Options opt = Options.parse(args);
        long t0 = System.nanoTime();
        ProgressBar bar = ProgressBar.forConsole();
        // Any sequence file (--data: Amazon/S3-Rec `user item item ...` or RecBole .inter, metadata read when it is
        // next to it); Amazon Beauty from the shared data directory by default.
        Path dataFile = opt.data != null ? opt.data : Datasets.beautySequences(Datasets.dataDir());
        InteractionSequences seqs = Datasets.sequences(dataFile);
        ItemMetadata meta = Datasets.metadata(dataFile, seqs);
        LeaveOneOutSplit split = LeaveOneOutSplit.of(seqs, 20);
        LOG.info("{}: {} train examples, {} validation, {} test", seqs, split.train().size(), split.validation().size(), split.test().size());

        Path codecDir = opt.out.resolve("codec"), genDir = opt.out.resolve("generator");
        ResidualCodec codec;
        Training training = new Training(Duration.ZERO, TrainingHistory.empty(), List.of());
        SasRecTeacher teacher = null;
        if (opt.reuse) {
            // Evaluate checkpoints of an earlier run (e.g. a long --full training) without refitting or retraining.
            codec = ResidualCodec.load(codecDir);
            if (opt.distillSasRec() != null) teacher = sasRecTeacherModel(opt, split, bar);
            LOG.info("reusing the codec in {} and the generator in {}", codecDir, genDir);
        } else {
            // Data-parallel: rank 0 fits and saves the codec, the others wait for it and load it, so that every
            // process trains on the same semantic IDs; all of them train, rank 0 alone saves and evaluates.
            DataParallelGroup group = opt.worldSize() > 1 ? DataParallelGroup.join(opt.rendezvous(), opt.rank(), opt.worldSize()) : null;
            ResidualCodec fitted = null;
            if (group == null || group.rank() == 0) {
                fitted = fitCodec(opt, meta, split, seqs, bar);
                fitted.save(codecDir);
            }
            if (group != null) group.allReduceSum(0); // a barrier: the codec is on disk
            codec = fitted != null ? fitted : ResidualCodec.load(codecDir);
            if (opt.distillSasRec() != null) teacher = sasRecTeacherModel(opt, split, bar);
            training = trainGenerator(opt, codec, split, seqs.itemCount(), genDir, bar, group, teacher);
            if (group != null) {
                int rank = group.rank();
                group.close();
                if (rank != 0) {
                    LOG.info("rank {} done; rank 0 evaluates", rank);
                    bar.close();
                    return;
                }
            }
        }

        // 3. Reload through the SPI (any backend reads the same checkpoint) and evaluate on the test split.
        // Serve from the pure-Java backend unless told otherwise: on CPU it decodes several times faster than
        // LibTorch (README, GeneratorBenchmark), and it reads the checkpoint LibTorch just wrote.
        Backend backend = Backends.get(opt.backend == null ? "cpu" : opt.backend);
        Generator generator = backend.loadGenerator(genDir, backend.loadCodec(codecDir));
        // The same seeded random users for test and validation (all users with --eval-users 0).
        List<NextItemExample> test = Evaluator.sample(split.test(), opt.evalUsers, 7);
        List<NextItemExample> valid = Evaluator.sample(split.validation(), opt.evalUsers, 7);
        Evaluator evaluator = new Evaluator(Evaluator.DEFAULT_KS, 256, bar);
        // The yardsticks, on the same users: popularity and the item-to-item transition table (fitted on the
        // training part of each sequence only).
        long b0 = System.nanoTime();
        TransitionBaseline transition = TransitionBaseline.fit(split);
        double transitionFit = (System.nanoTime() - b0) / 1e9;
        BatchRecommender popularity = PopularityBaseline.fit(split, false);
        // Amazon 5-core and MovieLens never repeat an item, so a history item in the list only wastes a slot; the
        // table already leaves them out. Decided on training data alone.
        double repeatShare = split.repeatShare();
        boolean excludeHistory = excludesHistory(opt, repeatShare);
        LOG.info("{} of the training targets repeat an item of their history: the generator {} history items",
                String.format("%.2f%%", 100 * repeatShare), excludeHistory ? "leaves out" : "may recommend");
        DecodingOptions serving = DecodingOptions.beams(opt.beam).withExcludeHistory(excludeHistory).withCodeSoftmax(opt.codeSoftmax);
        BatchRecommender onerec = BatchRecommender.of(generator, serving);
        long e0 = System.nanoTime();
        EvaluationResult onerecTest = evaluator.evaluate("test", test, seqs.itemCount(), onerec);
        double evalSeconds = (System.nanoTime() - e0) / 1e9;
        List<String> rows = new ArrayList<>();
        rows.add(row("popularity", evaluator.evaluate("test", test, seqs.itemCount(), popularity),
                evaluator.evaluate("validation", valid, seqs.itemCount(), popularity), "-"));
        rows.add(row("transition table", evaluator.evaluate("test", test, seqs.itemCount(), transition),
                evaluator.evaluate("validation", valid, seqs.itemCount(), transition), String.format("%.1f s", transitionFit)));
        if (teacher != null) {
            // The teacher is a yardstick too: SASRec ranking all items, history masked (as the generator's lists are).
            // Several SASRecs rank as the ensemble the generator was taught by (mean log-softmax); cross-fitted ones,
            // which taught each user with one model, are shown as their ensemble too (it saw every user).
            BatchRecommender sasrec = new SasRecRecommender(teacher.models(), true);
            String name = teacher.models().size() == 1 ? "SASRec, history masked"
                    : "SASRec x" + teacher.models().size() + (teacher.folds() != null ? " (folds)" : "") + ", history masked";
            rows.add(row(name, evaluator.evaluate("test", test, seqs.itemCount(), sasrec),
                    evaluator.evaluate("validation", valid, seqs.itemCount(), sasrec),
                    teacher.fitTime() == null ? "(loaded)" : String.format("%.1f min", teacher.fitTime().toSeconds() / 60.0)));
        }
        String generatorRow = opt.codeSoftmax == DecodingOptions.CodeSoftmax.TRIE ? "generator, trie softmax" : "onerec-java generator";
        rows.add(row(generatorRow, onerecTest, evaluator.evaluate("validation", valid, seqs.itemCount(), onerec),
                opt.reuse ? "(reused)" : String.format("%.1f min", training.time().toSeconds() / 60.0)));
        TransitionBaseline forward = opt.fusionWindow == TransitionBaseline.DEFAULT_WINDOW ? transition
                : TransitionBaseline.fit(split, opt.fusionWindow, false);
        ItemPrior table = opt.fusionReverse > 0
                ? ItemPrior.mixture(forward, TransitionBaseline.fit(split, opt.fusionWindow, false, true), opt.fusionReverse)
                : forward;
        // --fusion-prior: the table, the SASRec teacher, or the teacher's mixture of both (teacher is non-null: parse checked).
        record Fused(String name, ItemPrior prior) {
        }
        Fused fusedPrior = switch (opt.fusionPrior) {
            case "sasrec" -> new Fused("SASRec", servingSasRec(teacher, test, valid));
            case "teacher" -> new Fused("table+SASRec", ItemPrior.mixture(table, servingSasRec(teacher, test, valid), opt.distillMix));
            // The generator's own head, computed by its decoder inside each search (any backend).
            case "item-head" -> new Fused("its item head", ItemHead.OWN);
            default -> new Fused("table", table);
        };
        ItemPrior prior = fusedPrior.prior();
        if (opt.trainFusion > 0) {
            // A product-of-experts generator is served with the prior it was trained with, at its weight.
            PriorFusion poe = new PriorFusion(prior, opt.trainFusion, opt.fusionBackground, true);
            BatchRecommender rec = BatchRecommender.of(generator, serving.withFusion(poe));
            rows.add(row(String.format("generator x table w=%.2g", opt.trainFusion), evaluator.evaluate("test", test, seqs.itemCount(), rec),
                    evaluator.evaluate("validation", valid, seqs.itemCount(), rec), "(trained as one)"));
        } else if (opt.fusionWeights.length > 0) {
            // The weight is chosen on validation only, then the chosen one is measured on test.
            double bestWeight = Double.NaN;
            EvaluationResult bestValid = null;
            for (double w : opt.fusionWeights) {
                EvaluationResult v = evaluator.evaluate("validation", valid, seqs.itemCount(),
                        fused(generator, serving, prior, w, opt.fusionBackground));
                LOG.info("fusion weight {}: validation R@10 {} N@10 {}", w, f(v.recall(10)), f(v.ndcg(10)));
                if (bestValid == null || v.ndcg(10) > bestValid.ndcg(10)) {
                    bestValid = v;
                    bestWeight = w;
                }
            }
            EvaluationResult t = evaluator.evaluate("test", test, seqs.itemCount(),
                    fused(generator, serving, prior, bestWeight, opt.fusionBackground));
            rows.add(row(String.format("generator + %s w=%.2g", fusedPrior.name(), bestWeight), t, bestValid, "(both above)"));
        }
        bar.close();

        String heading = String.format("==== %s: leave-one-out, full ranking over %d items, %s %d users (test and validation) ====",
                seqs.name(), seqs.itemCount(), test.size() == split.test().size() ? "all" : "a seeded random sample of", test.size());
        rows.addFirst(String.format("%-24s| %-27s | %-27s | %s", "", "test R@5  N@5   R@10  N@10", "valid R@5 N@5   R@10  N@10", "fit time"));
        LOG.info(heading);
        for (String r : rows) LOG.info(r);
        rows.addFirst(heading);
        Path report = RunReport.write(opt.out, "onerec-java on " + seqs.name(), RunReport.codeUsage(codec), training.history(),
                training.batchLoss(), rows);
        LOG.info("report with charts written to {}", report);
        LOG.info("generator served by the {} backend, beam {}, {} softmax, {} users/s; total time {}", backend.name(), opt.beam,
                opt.codeSoftmax.name().toLowerCase(java.util.Locale.ROOT), String.format("%.0f", test.size() / evalSeconds),
                Duration.ofNanos(System.nanoTime() - t0));

        // 4. A few users and what the generator recommends for them.
        for (int u = 0; u < 3; u++) {
            UserHistory h = split.test().get(u).history();
            List<GeneratedSession> recs = generator.generate(h, DecodingOptions.beams(10).withExcludeHistory(excludeHistory)
                    .withCodeSoftmax(opt.codeSoftmax));
            LOG.info("user {} recently bought: {}", h.userId(), titles(meta, h.items(), 3));
            for (int i = 0; i < 5 && i < recs.size(); i++) {
                int item = recs.get(i).firstItem();
                LOG.info("   #{} {} {} (log p {})", i + 1, codec.sidOf(item), title(meta, item), String.format("%.2f", recs.get(i).logProb()));
            }
            LOG.info("   actually bought next: {}", title(meta, split.test().get(u).target()));
        }
        generator.close();
    }

    /** Item embeddings (content LSA + collaborative PPMI-SVD, training interactions only) and the codec. */
    static ResidualCodec fitCodec(Options opt, ItemMetadata meta, LeaveOneOutSplit split, InteractionSequences seqs, ProgressListener progress) {
        int[][] trainSeqs = new int[seqs.userCount()][];
        for (int u = 0; u < trainSeqs.length; u++) trainSeqs[u] = split.trainSequence(u);
        String mode = opt.codecEmbeddings();
        ItemEmbeddings emb;
        if (mode.equals("built")) {
            emb = new ItemEmbeddingBuilder(ItemEmbeddingBuilder.Config.defaults()).build(meta, trainSeqs);
        } else if (mode.equals("text")) {
            // all-MiniLM-L6-v2 over the titles (ONNX Runtime) as the content half, next to the collaborative half.
            try (OnnxSentenceEncoder text = OnnxSentenceEncoder.allMiniLmL6v2(Runtime.getRuntime().availableProcessors(),
                    progress)) {
                emb = new ItemEmbeddingBuilder(ItemEmbeddingBuilder.Config.defaults()).build(meta, trainSeqs, text);
            }
        } else if (mode.startsWith("file:")) {
            emb = ItemEmbeddingsFile.read(Path.of(mode.substring(5)));
        } else if (mode.startsWith("built+file:")) {
            emb = ItemEmbeddingBuilder.concatenate(new ItemEmbeddingBuilder(ItemEmbeddingBuilder.Config.defaults()).build(meta, trainSeqs),
                    ItemEmbeddingsFile.read(Path.of(mode.substring(11))));
        } else {
            throw new IllegalArgumentException("--codec-embeddings must be built, text, file:PATH or built+file:PATH, not " + mode);
        }
        if (emb.count() != seqs.itemCount()) {
            throw new IllegalArgumentException("codec embeddings cover " + emb.count() + " items, the data has " + seqs.itemCount());
        }
        var fit = new ResidualCodecFitter(ResidualCodecFitter.Config.of(3, 256, ResidualCodecFitter.Method.BALANCED).withMaxIterations(opt.full ? 30 : 10),
                progress).fit(emb);
        LOG.info("codec: {}", fit.report());
        return fit.codec();
    }

    /**
     * What training took and did, for the report: {@code batchLoss} holds (step, loss) of the batches the trainer
     * reported on (every 50th).
     */
    record Training(Duration time, TrainingHistory history, List<double[]> batchLoss) {
    }

    /**
     * The SASRec teacher(s) and what training took (null when loaded). With {@code folds}, the models are cross-fitted:
     * {@code models.get(k)} was trained without fold k's users and teaches on them alone; otherwise they teach as one
     * ensemble.
     */
    record SasRecTeacher(List<SasRecModel> models, UserFolds folds, Duration fitTime) {
        SasRecTeacher(List<SasRecModel> models, Duration fitTime) {
            this(models, null, fitTime);
        }

        /**
         * The teacher as a prior ({@value BeautyEndToEnd#SASREC_TEACHER_TOP_K} items per history, the models' own temperature,
         * history items left out): one ensemble, or each user answered by the model that never saw their fold.
         */
        SasRecPrior prior() {
            return folds == null ? new SasRecPrior(models, SASREC_TEACHER_TOP_K, 1.0, true)
                    : SasRecPrior.crossFitted(models, folds, SASREC_TEACHER_TOP_K, 1.0, true);
        }

        String describe() {
            if (folds != null) return models.size() + " cross-fitted SASRecs (each teaching the fold of users it never saw)";
            return models.size() == 1 ? "SASRec" : "an ensemble of " + models.size() + " SASRecs";
        }
    }

    /**
     * The SASRec of {@code --distill-sasrec}: loaded from its directory (several: comma-separated), or, for "train:M", trained for M minutes on
     * the training split (early stopping on a seeded sample of 5,000 validation users; with {@code --reuse}, loaded
     * from {@code <out>/sasrec} where the first run saved it).
     */
    static SasRecTeacher sasRecTeacherModel(Options opt, LeaveOneOutSplit split, ProgressListener progress) {
        double minutes = Options.sasRecMinutes(opt.distillSasRec());
        if (Double.isNaN(minutes)) {
            List<Path> dirs = new ArrayList<>();
            for (String d : opt.distillSasRec().split(",")) dirs.add(Path.of(d.strip()));
            return loadedTeacher(dirs);
        }
        Path dir = opt.out().resolve("sasrec");
        if (loadsSavedTeacher(opt, dir)) {
            LOG.info("SASRec teacher loaded from {}", dir);
            return new SasRecTeacher(List.of(SasRecModel.load(dir)), null);
        }
        // Length buckets, not the trainer's random batches: a few minutes' budget buys about 1.4x more bucketed epochs,
        // and over the first four epochs both learn alike; random batches pull ahead only later (docs/baselines.md).
        SasRecTrainerConfig tc = SasRecTrainerConfig.defaults().withTimeBudget(Duration.ofSeconds(Math.round(minutes * 60)))
                .withEvaluation(5000, 10).withLengthBuckets(true);
        long t0 = System.nanoTime();
        SasRecModel model = SasRecModel.initialize(SasRecConfig.defaults(split.itemCount()).withDropout(TEACHER_SASREC_DROPOUT), tc.seed());
        SasRecTrainer.Result r = new SasRecTrainer(model, tc, progress).fit(split);
        Duration time = Duration.ofNanos(System.nanoTime() - t0);
        LOG.info("SASRec teacher: {} epochs (best {}) in {}; saved to {}", r.epochs(), r.bestEpoch(), time, dir);
        model.save(dir);
        return new SasRecTeacher(List.of(model), time);
    }

    /**
     * SASRecs loaded from their directories: trained on every user (one ensemble), or each without one fold of users
     * ({@link HeldOutFold}, BaselinesExample {@code --fold k/K}), then one per fold of the same split, ordered by fold.
     */
    static SasRecTeacher loadedTeacher(List<Path> dirs) {
        List<SasRecModel> models = new ArrayList<>();
        List<HeldOutFold> folds = new ArrayList<>();
        for (Path d : dirs) {
            models.add(SasRecModel.load(d));
            HeldOutFold fold = HeldOutFold.read(d).orElse(null);
            folds.add(fold);
            LOG.info("SASRec teacher loaded from {}{}", d, fold == null ? "" : " (trained without fold " + fold.fold() + " of " + fold.folds().count() + ")");
        }
        long crossFitted = folds.stream().filter(Objects::nonNull).count();
        if (crossFitted == 0) return new SasRecTeacher(models, null);
        if (crossFitted != dirs.size()) {
            throw new IllegalArgumentException("--distill-sasrec mixes cross-fitted SASRecs (with " + HeldOutFold.FILE
                    + ") and SASRecs trained on every user: " + dirs);
        }
        UserFolds split = folds.getFirst().folds();
        SasRecModel[] byFold = new SasRecModel[split.count()];
        for (int i = 0; i < dirs.size(); i++) {
            HeldOutFold f = folds.get(i);
            if (!f.folds().equals(split)) {
                throw new IllegalArgumentException("cross-fitted SASRecs from different fold splits: " + f.folds() + " in " + dirs.get(i)
                        + ", " + split + " in " + dirs.getFirst());
            }
            if (byFold[f.fold()] != null) throw new IllegalArgumentException("two SASRecs hold out fold " + f.fold() + ": " + dirs);
            byFold[f.fold()] = models.get(i);
        }
        for (int k = 0; k < byFold.length; k++) {
            if (byFold[k] == null) throw new IllegalArgumentException("no SASRec holds out fold " + k + " of " + split.count() + ": " + dirs);
        }
        return new SasRecTeacher(List.of(byFold), split, null);
    }

    /**
     * Whether "--distill-sasrec train:M" loads the SASRec an earlier run saved in {@code dir} instead of training one:
     * with {@code --reuse}, and with {@code --resume} when the stopped run got as far as saving it (it trains the teacher
     * before the generator, so a resumed generator continues under that teacher; training another would change the
     * targets mid-run).
     */
    static boolean loadsSavedTeacher(Options opt, Path dir) {
        return opt.reuse() || (opt.resume() != null && Files.isRegularFile(dir.resolve(Checkpoint.CONFIG_FILE)));
    }

    /**
     * Whether the generator leaves history items out of its lists: "--exclude-history", by default ("auto") decided on
     * training data alone, by the share of training targets that repeat a history item ({@link LeaveOneOutSplit#repeatShare}).
     */
    static boolean excludesHistory(Options opt, double repeatShare) {
        return opt.excludeHistory.equals("auto") ? repeatShare < MAX_REPEAT_SHARE_TO_EXCLUDE
                : Boolean.parseBoolean(opt.excludeHistory);
    }

    /**
     * Trains the generator on LibTorch and saves it; {@code sasRecTeacher} (or null) joins the distillation teacher
     * as one ensemble (SasRecPrior over the list).
     */
    static Training trainGenerator(Options opt, ResidualCodec codec, LeaveOneOutSplit split, int itemCount, Path genDir,
                                   ProgressListener bar, DataParallelGroup group, SasRecTeacher sasRecTeacher) {
        GeneratorConfig gc = new GeneratorConfig(opt.dModel, 4, opt.dFf, opt.encoderLayers, opt.layers, opt.moeExperts, opt.moeTopK, 20,
                codec.codebookSizes(), 0, 1, 1e-6, opt.itemEmbeddings ? codec.itemCount() : 0, opt.causal, opt.bosReadsLast);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(gc, 42);
        LOG.info("generator: {} parameters, config {}", model.parameterCount(), gc);
        GeneratorTrainerConfig tc = GeneratorTrainerConfig.defaults().withMaxEpochs(opt.epochs)
                .withBatchSize(opt.batch)
                .withLearningRate(opt.lr, 100)
                .withFinalLearningRateShare(opt.finalLrShare)
                .withEvaluation(opt.validEvery(), opt.validUsers, 20)
                .withPatience(opt.patience)
                .withDropout(opt.dropout)
                .withWeightDecay(opt.weightDecay);
        // Data-parallel processes must agree on every step, so they train for --epochs, not for a time budget.
        if (group == null) tc = tc.withTimeBudget(Duration.ofSeconds((long) (opt.minutes * 60)));
        List<double[]> batchLoss = new ArrayList<>();
        ProgressListener progress = p -> {
            bar.onProgress(p);
            recordBatchLoss(p, batchLoss);
        };
        GeneratorTrainer trainer = opt.resume() == null
                ? new GeneratorTrainer(model, codec, tc, progress)
                : GeneratorTrainer.resumeFrom(opt.resume(), codec, tc, progress);
        // --precision bf16 trains with bfloat16 matrix products: at d=128 about 10% more steps per second in this
        // example (fifth session), at d=192 1.6x in TrainerThroughput (docs/generator-quality.md, fourteenth session).
        trainer.withPrecision(opt.precision());
        if (opt.itemHead() > 0) {
            trainer.withItemHead(opt.itemHead());
            LOG.info("item head trained beside the codes at loss weight {}", opt.itemHead());
        }
        LOG.info("generator training precision: {}", opt.precision());
        // Early stopping judges the lists as they will be served.
        trainer.withValidationExcludingHistory(excludesHistory(opt, split.repeatShare()));
        // The table the generator trains against (product of experts or distillation; the options exclude each other).
        TransitionBaseline trainingTable = opt.trainFusion() > 0 || opt.distill() > 0
                ? TransitionBaseline.fit(split, opt.fusionWindow(), false) : null;
        if (opt.trainFusion() > 0) {
            trainer.withPriorFusion(new PriorFusion(trainingTable, opt.trainFusion(), opt.fusionBackground()));
        }
        if (opt.distill() > 0) {
            ItemPrior teacher = trainingTable;
            String teacherName = "the transition table's distribution (leave-one-out)";
            if (sasRecTeacher != null) {
                teacher = ItemPrior.mixture(trainingTable, sasRecPrior(sasRecTeacher, split, gc.maxHistory()), opt.distillMix());
                teacherName = String.format(Locale.ROOT, "a mixture of the transition table (leave-one-out, %.2f) and %s (%.2f)",
                        1 - opt.distillMix(), sasRecTeacher.describe(),
                        opt.distillMix());
            }
            LOG.info("training targets: {} one-hot + {} {}", String.format("%.2f", 1 - opt.distill()),
                    String.format("%.2f", opt.distill()), teacherName);
            trainer.withDistillation(new PriorFusion(teacher, 1.0, opt.fusionBackground()), opt.distill());
        }
        if (group != null) trainer.withDataParallel(group);
        // The run's state is saved as it goes, so that a stopped run can be continued with --resume (single process).
        if (group == null) trainer.saveStateTo(opt.resume() == null ? opt.out().resolve("training-state") : opt.resume(), 200);
        GeneratorTrainer.Result trained;
        if (opt.stream) {
            // The same windows as below, read from the file each epoch; ids through this data set's index (the
            // codec's items). Only the training windows are streamed: validation and the codec still use `split`.
            Path dataFile = opt.data() != null ? opt.data() : Datasets.beautySequences(Datasets.dataDir());
            if (dataFile.getFileName().toString().endsWith(".inter")) {
                throw new IllegalArgumentException("--stream reads Amazon-format sequence files (user item item ...), not " + dataFile);
            }
            StreamingWindows source = StreamingWindows.open(dataFile, ItemIndex.of(split.data()), gc.maxHistory(), opt.shuffleBuffer());
            trained = trainer.fitSequences(source, split.validation(), itemCount);
        } else if (opt.causal) {
            int[][] trainSeqs = new int[split.data().userCount()][];
            for (int u = 0; u < trainSeqs.length; u++) trainSeqs[u] = split.trainSequence(u);
            trained = trainer.fitSequences(SequenceExample.windows(trainSeqs, gc.maxHistory()), split.validation(), itemCount);
        } else {
            trained = trainer.fit(split.train(), split.validation(), itemCount);
        }
        LOG.info("trained {} epochs / {} steps in {}; best validation (epoch {}): {}", trained.epochs(), trained.steps(),
                trained.time(), trained.bestEpoch(), trained.bestValidation());
        if (group == null || group.rank() == 0) trainer.model().save(genDir);
        return new Training(trained.time(), trainer.history(), batchLoss);
    }

    /**
     * Keeps the loss of a "generator/epoch-N" report (batch {@code step} of {@code total}, 0-based) as (optimiser step,
     * loss), the step counted as the trainer counts it from the start of a fresh run.
     */
    static void recordBatchLoss(TrainingProgress p, List<double[]> into) {
        if (!p.phase().startsWith("generator/epoch-") || p.total() <= 0 || Double.isNaN(p.loss())) return;
        int epoch = Integer.parseInt(p.phase().substring("generator/epoch-".length()));
        into.add(new double[]{(epoch - 1) * p.total() + p.step() + 1, p.loss()});
    }

    static BatchRecommender recommender(Generator generator, int beam) {
        return BatchRecommender.of(generator, DecodingOptions.beams(beam));
    }

    /** The generator with a prior (the transition table, SASRec) fused into its beam search (shallow fusion, {@link PriorFusion}). */
    static BatchRecommender fused(Generator generator, DecodingOptions serving, ItemPrior prior, double weight, double background) {
        return BatchRecommender.of(generator, serving.withFusion(new PriorFusion(prior, weight, background)));
    }

    /**
     * The SASRec teacher as a prior to fuse at serving: {@value #SASREC_TEACHER_TOP_K} items per history, history items left
     * out, its evidence for the evaluated users' histories computed up front in batches (one at a time it would run one
     * SASRec forward per beam search).
     */
    static SasRecPrior servingSasRec(SasRecTeacher teacher, List<NextItemExample> test, List<NextItemExample> valid) {
        SasRecPrior prior = teacher.prior();
        List<UserHistory> histories = new ArrayList<>(test.size() + valid.size());
        for (NextItemExample e : test) histories.add(e.history());
        for (NextItemExample e : valid) histories.add(e.history());
        long t0 = System.nanoTime();
        prior.precompute(histories, 256);
        LOG.info("SASRec fused at serving: evidence for {} histories in {} s", histories.size(), (System.nanoTime() - t0) / 1_000_000_000);
        return prior;
    }

    private static String title(ItemMetadata meta, int item) {
        String t = meta.title(item);
        return t.isEmpty() ? "(item " + item + ", no title)" : "\"" + t + "\"";
    }

    private static String titles(ItemMetadata meta, int[] items, int last) {
        List<String> out = new ArrayList<>();
        for (int i = Math.max(0, items.length - last); i < items.length; i++) out.add(title(meta, items[i]));
        return String.join(", ", out);
    }

    private static String row(String name, EvaluationResult test, EvaluationResult valid, String fitTime) {
        return String.format("%-24s| %s %s %s %s | %s %s %s %s | %s", name, f(test.recall(5)), f(test.ndcg(5)), f(test.recall(10)),
                f(test.ndcg(10)), f(valid.recall(5)), f(valid.ndcg(5)), f(valid.recall(10)), f(valid.ndcg(10)), fitTime);
    }

    private static String f(double v) {
        return String.format("%.4f", v);
    }

    /** Items SASRec's softmax keeps per history as a teacher (the background covers the rest). */
    static final int SASREC_TEACHER_TOP_K = 100;

    /**
     * A trained SASRec as a distillation teacher, its evidence computed once for every history the training windows
     * hold (history items left out: the generator's lists leave them out too on catalogs without repeats).
     */
    static SasRecPrior sasRecPrior(SasRecTeacher teacher, LeaveOneOutSplit split, int maxHistory) {
        List<SasRecModel> sasrec = teacher.models();
        for (SasRecModel m : sasrec) {
            if (m.config().items() != split.itemCount()) {
                throw new IllegalArgumentException("the SASRec teacher has " + m.config().items() + " items, the data "
                        + split.itemCount());
            }
        }
        SasRecPrior prior = teacher.prior();
        long t0 = System.nanoTime();
        List<UserHistory> histories = new ArrayList<>();
        for (int u = 0; u < split.data().userCount(); u++) {
            SequenceExample.windowsOf(u, split.trainSequence(u), maxHistory, w -> {
                int[] items = w.items();
                for (int k = 0; k + 1 < items.length; k++) histories.add(new UserHistory(w.userId(), Arrays.copyOf(items, k + 1)));
            });
        }
        prior.precompute(histories, 256);
        LOG.info("SASRec teacher: evidence for {} training histories in {} s", prior.cachedHistories(),
                (System.nanoTime() - t0) / 1_000_000_000);
        return prior;
    }
}
