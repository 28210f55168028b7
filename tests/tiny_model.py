"""A tiny, random, real MLX model directory built on the fly for tests.

``build_tiny_model`` writes what ``mlx_lm.load()`` reads: ``config.json``, ``model.safetensors``
(weights made by mlx-lm's own model classes, seeded so every build is identical) and a byte-level
BPE tokenizer with a ChatML-like chat template that supports tools and ``<tool_call>`` tags.
Importable from any test folder; no network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# Special tokens come first, so ``<|endoftext|>`` is id 0: a model whose head is all zeros picks
# it greedily (argmax of equal logits is the first index), which ``always_eos`` relies on.
EOS_TOKEN = "<|endoftext|>"
SPECIAL_TOKENS = [
    EOS_TOKEN,
    "<|im_start|>",
    "<|im_end|>",
    "<think>",
    "</think>",
    "<tool_call>",
    "</tool_call>",
]

CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "Hello, world! How are you today? I am fine, thank you.",
    "MLX is an array framework for machine learning on Apple silicon.",
    "Tools: get_weather(city) returns the weather for a city, in Celsius.",
    '{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}',
    "user assistant system tool function call response content role name",
    "0 1 2 3 4 5 6 7 8 9 10 100 1000 + - * / = ( ) [ ] { } < > : ; , . ! ?",
    "Once upon a time there was a small language model that liked to count.",
]

# Qwen2.5's template, cut down: a system message after the first is rendered where it stands.
CHAT_TEMPLATE = """\
{%- if tools %}<|im_start|>system
{% if messages[0].role == 'system' %}{{ messages[0].content }}

{% endif %}# Tools
<tools>
{% for tool in tools %}{{ tool | tojson }}
{% endfor %}</tools>
Call a tool as <tool_call>{"name": <name>, "arguments": <args>}</tool_call><|im_end|>
{% elif messages[0].role == 'system' %}<|im_start|>system
{{ messages[0].content }}<|im_end|>
{% endif %}
{%- for message in messages %}
{%- if message.role == 'user' or (message.role == 'system' and not loop.first) %}\
<|im_start|>{{ message.role }}
{{ message.content }}<|im_end|>
{% elif message.role == 'assistant' %}<|im_start|>assistant
{% if message.content %}{{ message.content }}{% endif %}
{%- for tool_call in message.tool_calls or [] %}
{%- if tool_call.function %}{% set tool_call = tool_call.function %}{% endif %}
<tool_call>{"name": "{{ tool_call.name }}", "arguments": {{ tool_call.arguments | tojson }}}\
</tool_call>
{%- endfor %}<|im_end|>
{% elif message.role == 'tool' %}<|im_start|>user
<tool_response>{{ message.content }}</tool_response><|im_end|>
{% endif %}
{%- endfor %}
{%- if add_generation_prompt %}<|im_start|>assistant
{% endif %}"""

Arch = Literal["llama", "qwen2"]


@dataclass(frozen=True, slots=True)
class Dims:
    """Model dimensions; the default is as small as a test can use."""

    hidden_size: int = 64
    intermediate_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2


def _config(arch: Arch, vocab_size: int, dims: Dims) -> dict[str, object]:
    config: dict[str, object] = {
        "model_type": arch,
        "architectures": ["LlamaForCausalLM" if arch == "llama" else "Qwen2ForCausalLM"],
        "hidden_size": dims.hidden_size,
        "intermediate_size": dims.intermediate_size,
        "num_hidden_layers": dims.num_hidden_layers,
        "num_attention_heads": dims.num_attention_heads,
        "num_key_value_heads": dims.num_key_value_heads,
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "max_position_embeddings": 2048,
        "vocab_size": vocab_size,
        "tie_word_embeddings": False,
        "eos_token_id": 0,
        "bos_token_id": None,
    }
    return config


def _write_tokenizer(path: Path, vocab_size: int) -> int:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(CORPUS * 4, trainer=trainer)
    tokenizer.save(str(path / "tokenizer.json"))
    tokenizer_config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "eos_token": EOS_TOKEN,
        "pad_token": EOS_TOKEN,
        "bos_token": None,
        "add_bos_token": False,
        "model_max_length": 2048,
        "chat_template": CHAT_TEMPLATE,
    }
    (path / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2))
    special = {"eos_token": EOS_TOKEN, "pad_token": EOS_TOKEN}
    (path / "special_tokens_map.json").write_text(json.dumps(special))
    return int(tokenizer.get_vocab_size())


def _write_weights(path: Path, config: dict[str, object], *, always_eos: bool) -> None:
    import mlx.core as mx
    from mlx.utils import tree_flatten
    from mlx_lm.utils import _get_classes

    model_class, args_class = _get_classes(config=config)
    mx.random.seed(0)
    model = model_class(args_class.from_dict(config))
    weights = dict(tree_flatten(model.parameters()))
    if always_eos:
        weights["lm_head.weight"] = mx.zeros_like(weights["lm_head.weight"])
    mx.save_safetensors(str(path / "model.safetensors"), weights, metadata={"format": "mlx"})


def build_tiny_model(
    path: Path,
    *,
    arch: Arch = "llama",
    vocab_size: int = 384,
    always_eos: bool = False,
    dims: Dims = Dims(),
) -> Path:
    """Write a tiny random ``arch`` model into ``path`` (created if needed) and return it.

    ``always_eos``: the output head is all zeros, so greedy decoding emits EOS at once.
    ``dims``: bigger dimensions, for benchmarks whose timings should mean something.
    """
    path.mkdir(parents=True, exist_ok=True)
    actual_vocab = _write_tokenizer(path, vocab_size)
    config = _config(arch, actual_vocab, dims)
    (path / "config.json").write_text(json.dumps(config, indent=2))
    _write_weights(path, config, always_eos=always_eos)
    return path
