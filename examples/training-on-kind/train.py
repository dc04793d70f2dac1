"""CPU data-parallel training for the training-on-kind example.

Every worker pod runs this through torchrun, which takes the rendezvous (pod 0), world size and ranks
from the PET_* environment the trainer sets. kind has no GPUs: the collectives run over gloo (TCP).
Each epoch ends with a checkpoint in the rank's own directory (CHECKPOINT_DIR); a retried rank resumes
from it, and a finished run returns at once if started again.
"""
import os
import sys

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

EPOCHS = int(os.environ.get("EPOCHS", "10"))
STEPS_PER_EPOCH = 50


def main() -> int:
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ["LOCAL_RANK"])
    # Named by local rank: the claim belongs to the pod, and global ranks may change after a restart.
    checkpoint = os.path.join(os.environ["CHECKPOINT_DIR"], f"model-local{local_rank}.pt")

    model = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    done = 0
    if os.path.exists(checkpoint):
        state = torch.load(checkpoint, map_location="cpu")
        model.load_state_dict(state["model"])
        done = state["epochs"]
    # Resume from the epoch every worker reached; DDP then copies rank 0's weights to all of them.
    agreed = torch.tensor([done])
    dist.all_reduce(agreed, op=dist.ReduceOp.MIN)
    model = DistributedDataParallel(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    torch.manual_seed(0)  # the same function to learn on every rank
    target = torch.nn.Linear(16, 1).requires_grad_(False)
    generator = torch.Generator().manual_seed(rank)

    for epoch in range(int(agreed.item()), EPOCHS):
        for _ in range(STEPS_PER_EPOCH):
            x = torch.randn(64, 16, generator=generator)
            loss = torch.nn.functional.mse_loss(model(x), target(x))
            optimizer.zero_grad()
            loss.backward()  # gradients are averaged over every worker (gloo all-reduce)
            optimizer.step()
        mean = loss.detach().clone()
        dist.all_reduce(mean)
        if rank == 0:
            print(f"epoch {epoch + 1}/{EPOCHS}: loss {mean.item() / world:.4f} ({world} processes)", flush=True)
        torch.save({"model": model.module.state_dict(), "epochs": epoch + 1}, checkpoint)

    if rank == 0:
        print("training complete", flush=True)
    dist.barrier()
    dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
