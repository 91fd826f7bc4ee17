"""PyTorch interop: a state dict written by PyTorch (as a module, as a dict, and as a file laid
out by PyTorch's safetensors writer) evaluates in bloomnet as in PyTorch, and to_torch gives the
same logits. Skipped, saying so, where torch is not installed."""
import numpy as np
import pytest

import bloomnet
from conftest import write_torch_style

torch = pytest.importorskip("torch", reason="torch is not installed "
                            "(scripts/bootstrap.sh --torch installs python3-torch)")

V, D = 96, 24


class TwoLayers(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(V, D)
        self.fc2 = torch.nn.Linear(D, V)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


def k_hot(sets):
    x = torch.zeros(len(sets), V)
    for row, S in enumerate(sets):
        x[row, S] = 1.0
    return x


SETS = [[0, 5, 9], [1, 2, 3], [95, 40, 7], [11, 12, 13]]


@pytest.fixture
def module():
    torch.manual_seed(0)
    return TwoLayers()


def test_a_torch_module_and_its_state_dict_give_torchs_logits(module):
    expected = module(k_hot(SETS)).detach().numpy()
    for source in (module, module.state_dict()):
        net = bloomnet.Network.from_torch(source)
        np.testing.assert_allclose(net.forward(SETS), expected, rtol=1e-5, atol=1e-5)


def test_a_file_written_pytorch_style_loads_with_torchs_logits(module, tmp_path):
    state = module.state_dict()
    path = tmp_path / "torch.safetensors"
    write_torch_style(path, {"W_in": state["fc1.weight"].T.numpy(),
                             "b_in": state["fc1.bias"].numpy(),
                             "W_out": state["fc2.weight"].numpy(),
                             "b_out": state["fc2.bias"].numpy()}, {"format": "pt"})
    net = bloomnet.load(str(path))
    np.testing.assert_allclose(net.forward(SETS), module(k_hot(SETS)).detach().numpy(),
                               rtol=1e-5, atol=1e-5)
    metrics = net.evaluate(k=3, sets=256)
    assert metrics["sets"] == 256 and metrics["kind"] is None


def test_to_torch_gives_bloomnets_logits():
    net = bloomnet.construct(V=V, m=D, h=2, seed=3)
    module = net.to_torch()
    assert isinstance(module.fc1, torch.nn.Linear) and isinstance(module.fc2, torch.nn.Linear)
    np.testing.assert_allclose(module(k_hot(SETS)).detach().numpy(), net.forward(SETS),
                               rtol=1e-6, atol=1e-5)
    back = bloomnet.Network.from_torch(module)
    assert back == net


def test_a_float64_state_dict_is_a_type_error(module):
    with pytest.raises(TypeError, match="float32"):
        bloomnet.Network.from_torch(module.double().state_dict())


def test_a_state_dict_is_read_in_the_order_its_layers_were_registered():
    torch.manual_seed(1)
    module = torch.nn.Module()
    module.encoder = torch.nn.Linear(V, D)  # registered first, named after the second
    module.decoder = torch.nn.Linear(D, V)
    net = bloomnet.Network.from_torch(module.state_dict())
    x = k_hot(SETS)
    expected = module.decoder(torch.relu(module.encoder(x))).detach().numpy()
    np.testing.assert_allclose(net.forward(SETS), expected, rtol=1e-5, atol=1e-5)
