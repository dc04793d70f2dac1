"""DDP smoke test for the reference platform's trainer.

Exercises what the platform wires: torchrun's c10d rendezvous on pod 0, collectives across
every worker (NCCL on GPUs, gloo on CPUs), per-rank checkpoints in CHECKPOINT_DIR, resuming
from them, and the exit codes the Job's podFailurePolicy reads: a bad configuration (78,
EX_CONFIG) or an unreadable checkpoint (65, EX_DATAERR) fails the run at once, because a retry
would fail the same way; anything else (an exception: 1) is retried. A finished run returns at
once if started again. Real jobs bake their code into the image.
"""
import os
import sys

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

EX_DATAERR = 65
EX_SOFTWARE = 70
EX_CONFIG = 78
STEPS = 20


def fail(code: int, message: str) -> int:
    print(f"ddp_smoke: {message}", file=sys.stderr, flush=True)
    return code


def main() -> int:
    try:
        epochs = int(os.environ.get("EPOCHS", "5"))
        if epochs < 1:
            raise ValueError(epochs)
    except ValueError:
        return fail(EX_CONFIG, f"EPOCHS={os.environ.get('EPOCHS')!r} is not a whole number >= 1: fix the trainer's env")

    local_rank = int(os.environ["LOCAL_RANK"])
    # CHECKPOINT_DIR belongs to this pod's rank (the Job's rank-<i> directory, or the pod's own claim);
    # rendezvous may hand out global ranks in another order after a restart, so files are named by the
    # process's local rank on the pod.
    path = os.path.join(os.environ["CHECKPOINT_DIR"], f"smoke-local{local_rank}.pt")
    model = torch.nn.Linear(64, 1)
    done = 0
    if os.path.exists(path):
        try:
            state = torch.load(path, map_location="cpu")
            model.load_state_dict(state["model"])
            done = int(state["epochs"])
        except Exception as error:  # noqa: BLE001 - any unreadable checkpoint is the same data error
            return fail(EX_DATAERR, f"checkpoint {path} is unreadable ({error}): delete it to restart this rank from scratch")

    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)

    # Every process takes part: the sum of rank + 1 over the world is world * (world + 1) / 2.
    ranks = torch.tensor([rank + 1], device=device)
    dist.all_reduce(ranks)
    expected = world * (world + 1) // 2
    print(f"rank {rank}/{world}: all_reduce sum {int(ranks.item())} (expected {expected})", flush=True)
    if int(ranks.item()) != expected:
        return fail(EX_SOFTWARE, f"all_reduce returned {int(ranks.item())}, expected {expected}")

    # Every process resumes from the epoch all of them reached; DDP copies rank 0's weights.
    agreed = torch.tensor([done], device=device)
    dist.all_reduce(agreed, op=dist.ReduceOp.MIN)
    start = int(agreed.item())
    model = DistributedDataParallel(model.to(device), device_ids=[local_rank] if cuda else None)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

    generator = torch.Generator().manual_seed(rank)
    for epoch in range(start, epochs):
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
        print(f"training complete: {epochs} epochs", flush=True)
    dist.barrier()
    dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
