"""API key routes (admin)."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import AdminDep, WriteSessionDep
from api.schemas.common import PROBLEM_RESPONSES
from api.schemas.keys import KeyCreate, KeyCreated
from screening.keys import create_key

router = APIRouter(prefix="/v1/keys", tags=["keys"], responses=PROBLEM_RESPONSES)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=KeyCreated)
def create(body: KeyCreate, _: AdminDep, session: WriteSessionDep) -> KeyCreated:
    """Create a key with one role; brand-owner keys are bound to brand ids."""
    created = create_key(session, body.role, body.brand_ids, body.name)
    return KeyCreated(id=created.id, key=created.key, role=created.role, brand_ids=created.brand_ids)
