"""Train the character encoder on synthetic disguise pairs (contrastive, in-batch negatives).

Reproducible: a fixed seed drives names, disguises, initialisation and batches; one CPU
thread. Brand-independent: names come from `synth.synthetic_names`, never the catalogue.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F
from wordfreq import top_n_list

from models.text_encoder import CharEncoder, EncoderConfig
from screening.text.normalize import fold
from screening.text.synth import FAMILIES, disguise, synthetic_names


@dataclass
class TrainConfig:
    steps: int = 3000
    batch: int = 192
    distractors: int = 192
    lr: float = 3e-3
    temperature: float = 0.05
    names: int = 8000
    seed: int = 13
    exclude: tuple[str, ...] = ()
    version: str = "1"


def _view(text: str) -> str:
    return fold(text).text.strip()


def _pairs(names: list[str], families: list[str], rng: random.Random) -> tuple[list[str],
                                                                                list[str]]:
    anchors, positives = [], []
    for name in names:
        family = rng.choice(families)
        anchors.append(_view(name))
        positives.append(_view(disguise(name, family, rng)) or _view(name))
    return anchors, positives


def calibrate(model: CharEncoder, names: list[str], families: list[str], words: list[str],
              rng: random.Random) -> dict[str, float]:
    """Positive recall at thresholds and the similarity of ordinary words to the names."""
    anchors, positives = _pairs(names, families, rng)
    key_vecs = model.encode(anchors)
    pos_vecs = model.encode(positives)
    sims = pos_vecs @ key_vecs.T
    own = np.diag(sims)
    top1 = (sims.argmax(axis=1) == np.arange(len(names))).mean()
    taken = set(anchors)
    words = [w for w in words if _view(w) not in taken]
    word_best = (model.encode(words) @ key_vecs.T).max(axis=1)
    threshold = float(max(0.8, np.quantile(word_best, 0.995)))
    return {
        "top1": float(top1),
        "recall_at_threshold": float(((own >= threshold) & (sims.argmax(axis=1)
                                                             == np.arange(len(names)))).mean()),
        "word_sim_q995": float(np.quantile(word_best, 0.995)),
        "threshold": threshold,
    }


def train(config: TrainConfig, log: Callable[[str], None] = print) -> tuple[CharEncoder,
                                                                            dict[str, float]]:
    """Train an encoder; returns it (eval mode, threshold set) and held-out metrics."""
    torch.set_num_threads(1)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    families = [f for f in FAMILIES if f not in config.exclude]
    names = synthetic_names(config.names + 600, rng)
    train_names, held_out = names[: config.names], names[config.names :]
    name_set = {n.lower() for n in names}
    words = [w for w in top_n_list("en", 20000)
             if w.isalpha() and len(w) >= 4 and w not in name_set]
    rng.shuffle(words)
    train_words, held_words = words[:8000], words[8000:10000]
    model = CharEncoder(EncoderConfig(version=config.version, seed=config.seed,
                                      excluded_families=tuple(config.exclude)))
    optim = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(optim, max_lr=config.lr,
                                                total_steps=config.steps, pct_start=0.1)
    start = time.time()
    model.train()
    for step in range(config.steps):
        batch = rng.sample(train_names, config.batch)
        anchors, positives = _pairs(batch, families, rng)
        distract = [_view(w) for w in rng.sample(train_words, config.distractors)]
        keys = model(model.ids(anchors + distract))
        queries = model(model.ids(positives))
        logits = queries @ keys.T / config.temperature
        target = torch.arange(len(batch))
        loss = F.cross_entropy(logits, target)
        loss = loss + F.cross_entropy(logits[:, : len(batch)].T, target)
        optim.zero_grad()
        loss.backward()
        optim.step()
        sched.step()
        if step % 250 == 0 or step == config.steps - 1:
            log(f"step {step:5d} loss {loss.item():.3f} {time.time() - start:6.1f}s")
    model.eval()
    metrics = calibrate(model, held_out, families, held_words, rng)
    model.config.threshold = round(metrics["threshold"], 4)
    metrics["seconds"] = round(time.time() - start, 1)
    return model, metrics
