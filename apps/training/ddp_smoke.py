"""DDP smoke test for the reference platform's trainer.

Exercises what the platform wires: torchrun's c10d rendezvous on pod 0, collectives across
every worker (NCCL on GPUs, gloo on CPUs), per-pod checkpoints in CHECKPOINT_DIR, and resuming
from them. A StatefulSet restarts finished containers, so a completed run returns at once.
Real jobs bake their code into the image.
"""
import os
import sys

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

EPOCHS = int(os.environ.get("EPOCHS", "5"))
STEPS = 20


def main() -> int:
    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ["LOCAL_RANK"])
    device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)

    # The claim belongs to this pod and rendezvous may hand out global ranks in another order
    # after a restart, so checkpoints are named by the process's local rank on the pod.
    path = os.path.join(os.environ["CHECKPOINT_DIR"], f"smoke-local{local_rank}.pt")
    model = torch.nn.Linear(64, 1)
    done = 0
    if os.path.exists(path):
        state = torch.load(path, map_location="cpu")
        model.load_state_dict(state["model"])
        done = state["epochs"]
    # Every process resumes from the epoch all of them reached; DDP copies rank 0's weights.
    agreed = torch.tensor([done], device=device)
    dist.all_reduce(agreed, op=dist.ReduceOp.MIN)
    start = int(agreed.item())
    model = DistributedDataParallel(model.to(device), device_ids=[local_rank] if cuda else None)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

    generator = torch.Generator().manual_seed(rank)
    for epoch in range(start, EPOCHS):
        for _ in range(STEPS):
            x = torch.randn(32, 64, generator=generator).to(device)
            loss = model(x).pow(2).mean()
            optimizer.zero_grad()
            loss.backward()  # gradients are all-reduced across every worker here
            optimizer.step()
        total = loss.detach().clone()
        dist.all_reduce(total)
        if rank == 0:
            print(f"epoch {epoch}: mean loss {total.item() / world:.4f} over {world} processes", flush=True)
        torch.save({"model": model.module.state_dict(), "epochs": epoch + 1}, path)

    if rank == 0:
        print(f"training complete: {EPOCHS} epochs", flush=True)
    dist.barrier()
    dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
