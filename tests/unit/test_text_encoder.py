"""Synthetic disguises, a tiny training run, save/load, and encoder candidates via FAISS."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from models.text_encoder import DEFAULT_DIR, CharEncoder, EncoderConfig
from screening.text.evaluation import catalogue_of, load_brands, memory_index
from screening.text.signal import TextSignal
from screening.text.synth import FAMILIES, disguise, synthetic_names
from screening.text.training import TrainConfig, train
from screening.types import Listing, ScreeningInput

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "text_brands.tsv"


@pytest.mark.parametrize("family", FAMILIES)
def test_every_generator_disguises_and_is_seeded(family: str) -> None:
    outputs = {disguise("Marvelo Stanza", family, random.Random(seed)) for seed in range(8)}
    assert outputs != {"Marvelo Stanza"}
    assert disguise("Marvelo", family, random.Random(3)) == disguise("Marvelo", family,
                                                                     random.Random(3))


def test_synthetic_names_are_reproducible_and_not_the_catalogue() -> None:
    first = synthetic_names(300, random.Random(1))
    assert first == synthetic_names(300, random.Random(1))
    catalogue = {b.name.lower() for b in load_brands(FIXTURE)}
    assert len({n.lower() for n in first} & catalogue) <= 3  # dictionary words may collide


def test_tiny_training_run_saves_and_loads(tmp_path: Path) -> None:
    model, metrics = train(TrainConfig(steps=6, batch=16, distractors=16, names=200),
                           log=lambda _: None)
    assert 0.0 <= metrics["top1"] <= 1.0 and 0.8 <= model.config.threshold <= 1.0
    model.save(tmp_path)
    loaded = CharEncoder.load(tmp_path)
    vectors = loaded.encode(["gucci", "g u c c i"])
    assert vectors.shape == (2, loaded.config.out_dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors, model.encode(["gucci", "g u c c i"]), atol=1e-6)


def test_numpy_inference_matches_the_torch_forward() -> None:
    import torch

    model = CharEncoder(EncoderConfig())
    model.eval()
    texts = ["gucci", "l0uis vu1tton", "m", "a much longer window than max_len allows"]
    with torch.inference_mode():
        reference = model.forward(model.ids(texts)).numpy()
    assert np.abs(model.encode(texts) - reference).max() < 1e-5


def test_untrained_encoder_config_round_trips(tmp_path: Path) -> None:
    model = CharEncoder(EncoderConfig(excluded_families=("leet",)))
    model.save(tmp_path)
    assert CharEncoder.load(tmp_path).config.excluded_families == ("leet",)


@pytest.mark.skipif(not (DEFAULT_DIR / "model.safetensors").is_file(), reason="no shipped weights")
def test_shipped_encoder_puts_disguises_next_to_their_brand() -> None:
    model = CharEncoder.load()
    keys = ["bottega veneta", "saint laurent", "louis vuitton", "miu miu", "bvlgari"]
    queries = ["botega venetta", "saint lauren", "lou1s vuiton", "mlu mlu", "bulgarl"]
    sims = model.encode(queries) @ model.encode(keys).T
    assert list(sims.argmax(axis=1)) == list(range(len(keys)))


@pytest.mark.skipif(not (DEFAULT_DIR / "model.safetensors").is_file(), reason="no shipped weights")
def test_encoder_only_signal_finds_brands_through_the_index() -> None:
    brands = load_brands(FIXTURE)
    signal = TextSignal(CharEncoder.load(), rules=False)
    memory_index(signal, brands)
    catalogue = catalogue_of(brands)
    listing = Listing("e", "Bottega Venetta woven pouch")
    evidence = signal.evaluate(ScreeningInput(listing, (), catalogue)).evidence
    assert evidence and evidence[0].brand_id == "bottega-veneta"
    assert "learned similarity" in evidence[0].detail
