package io.onerec.examples;

import io.onerec.api.ItemPrior;
import io.onerec.libtorch.baseline.SasRecPrior;
import io.onerec.tools.data.Datasets;
import io.onerec.tools.data.InteractionSequences;
import io.onerec.tools.data.LeaveOneOutSplit;
import io.onerec.tools.data.NextItemExample;
import io.onerec.tools.eval.Evaluator;
import io.onerec.tools.eval.PriorRanking;
import io.onerec.tools.eval.TransitionBaseline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures the distillation teacher of {@link BeautyEndToEnd} the way the generator meets it: how well its evidence
 * ranks the next item of a seeded sample of training pairs (what the generator is taught) and of validation pairs
 * (what it would say about a held-out item), for the transition table (leave-one-out), the SASRec teacher and their
 * mixture. A teacher that ranks training pairs several times better than validation pairs recalls its training data;
 * cross-fitted SASRecs (BaselinesExample {@code --fold k/K}) do not.
 *
 * <p>Flags: {@code --distill-sasrec DIR[,DIR...]} (required; as in BeautyEndToEnd), {@code --distill-mix S} (SASRec's
 * share, default 0.5), {@code --pairs N} (pairs sampled from each side, default 5000), {@code --data FILE}.
 */
public final class TeacherCheck {
    private static final Logger LOG = LoggerFactory.getLogger(TeacherCheck.class);

    record Options(Path data, List<Path> sasrec, double mix, int pairs) {
        static Options parse(String[] args) {
            Path data = null;
            List<Path> sasrec = new ArrayList<>();
            double mix = 0.5;
            int pairs = 5000;
            FlagReader f = new FlagReader(args);
            while (f.next()) {
                switch (f.flag()) {
                    case "--data" -> data = f.path();
                    case "--distill-sasrec" -> {
                        for (String d : f.text().split(",")) sasrec.add(Path.of(d.strip()));
                    }
                    case "--distill-mix" -> mix = f.share();
                    case "--pairs" -> pairs = f.count(1);
                    default -> throw f.unknown("--distill-sasrec DIR[,DIR...] --distill-mix S --pairs N --data FILE");
                }
            }
            if (sasrec.isEmpty()) throw new IllegalArgumentException("--distill-sasrec DIR[,DIR...] is required");
            return new Options(data, sasrec, mix, pairs);
        }
    }

    public static void main(String[] args) {
        Options opt = Options.parse(args);
        Path dataFile = opt.data() != null ? opt.data() : Datasets.beautySequences(Datasets.dataDir());
        InteractionSequences seqs = Datasets.sequences(dataFile);
        // The example's split: histories of at most 20 items, as the generator's training windows.
        LeaveOneOutSplit split = LeaveOneOutSplit.of(seqs, 20);
        BeautyEndToEnd.SasRecTeacher teacher = BeautyEndToEnd.loadedTeacher(opt.sasrec());
        SasRecPrior sasrec = teacher.prior();
        ItemPrior table = TransitionBaseline.fit(split, TransitionBaseline.DEFAULT_WINDOW, false);
        List<NextItemExample> train = Evaluator.sample(split.train(), opt.pairs(), 1);
        List<NextItemExample> valid = Evaluator.sample(split.validation(), opt.pairs(), 1);
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "%n==== the distillation teacher on %d training pairs (as taught) and %d validation pairs ====%n%-34s | %-30s | %-30s%n",
                train.size(), valid.size(), "", "training R@10  N@10  share", "validation R@10  N@10  share"));
        row(out, "transition table (leave-one-out)", table, train, valid);
        String name = teacher.folds() != null ? "SASRec, cross-fitted (" + teacher.models().size() + " folds)"
                : teacher.models().size() == 1 ? "SASRec" : "SASRec, ensemble of " + teacher.models().size();
        row(out, name, sasrec, train, valid);
        row(out, String.format(Locale.ROOT, "mixture (SASRec share %.2f)", opt.mix()), ItemPrior.mixture(table, sasrec, opt.mix()), train, valid);
        LOG.info("{}", out);
    }

    private static void row(StringBuilder out, String name, ItemPrior prior, List<NextItemExample> train, List<NextItemExample> valid) {
        PriorRanking t = PriorRanking.measure(prior, train, true, 10), v = PriorRanking.measure(prior, valid, false, 10);
        out.append(String.format(Locale.ROOT, "%-34s | %.4f  %.4f  %.4f       | %.4f  %.4f  %.4f%n", name,
                t.recall(), t.ndcg(), t.targetShare(), v.recall(), v.ndcg(), v.targetShare()));
    }
}
