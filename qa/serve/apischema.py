"""The HTTP API's request and response models: what FastAPI validates and what /docs and
/openapi.json describe. The answer's citations are the core's own dataclass, so the shape
has one definition."""
from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from qa.request import MAX_HISTORY, MAX_K, MAX_QUESTION_CHARS
from qa.types import Citation


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    sources: Optional[list[str]] = Field(None, description="publisher names, as in the citations")
    date_from: Optional[str] = Field(None, description="YYYY-MM-DD, inclusive")
    date_to: Optional[str] = Field(None, description="YYYY-MM-DD, inclusive")
    doc_ids: Optional[list[str]] = None


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    question: str = Field(..., description=f"at most {MAX_QUESTION_CHARS} characters", examples=["How long did the meeting last?"])
    history: list[str] = Field(default_factory=list, max_length=MAX_HISTORY,
                               description="earlier questions of the conversation, oldest first")
    k: int = Field(3, ge=1, le=MAX_K, description="how many answers at most; besides these, another "
                                                  "outlet's version of the first answer that a disagreement "
                                                  "quotes may follow them")
    filters: Optional[Filters] = None


class ContextOut(BaseModel):
    before: Optional[str]
    after: Optional[str]


class AnswerOut(BaseModel):
    text: str = Field(..., description="verbatim from the article: one sentence, or for another outlet's version "
                                       "that is part of a quotation running over several sentences, the whole quotation")
    score: float
    context: ContextOut
    citations: list[Citation]   # the core's frozen dataclass: one definition of the shape


class DisagreementOut(BaseModel):
    kind: str = Field(..., description='"figures" (different figures for what the question asks), '
                                       '"wording" (one statement quoted in different words), '
                                       '"attribution" (one claim given to different speakers), '
                                       '"naming" (one thing named two ways) or '
                                       '"detail" (one thing told in the same words, one outlet adding a word)')
    message: str = Field(..., description='fixed text to show: "The articles give different figures.", '
                                          '"The outlets quote these words differently.", '
                                          '"The outlets attribute this to different sources.", '
                                          '"The outlets give this different names." or '
                                          '"One outlet says more here than the other."')
    answers: list[list[int]] = Field(..., description="the sides, each the 0-based positions in `answers` "
                                                      "of the answers that say it")


class AskResponse(BaseModel):
    question: str
    read_as: Optional[str] = Field(None, description="the question as it was read, when its words differ "
                                                     "from `question` (a typo written as the articles' word, "
                                                     "a lead-in such as 'Can you tell me' dropped); null otherwise")
    abstained: bool
    message: Optional[str]
    answers: list[AnswerOut] = Field(..., description="best first: the k best, then any other outlet's "
                                                     "version of the first answer that `disagreements` quotes")
    disagreements: list[DisagreementOut] = Field(default_factory=list,
                                                 description="where the answers disagree ([] when none)")


class ErrorOut(BaseModel):
    error: str


ERRORS = {code: {"model": ErrorOut, "description": why} for code, why in {
    400: "invalid JSON", 403: "cross-origin request from a site not in the allowlist",
    413: "body larger than the limit", 415: "body is not application/json",
    422: "well-formed JSON with wrong fields, types or values (empty question, k out of range, "
         "unknown filter fields ...)", 429: "too many questions from this client (QA_RATE_LIMIT a minute); see Retry-After",
    503: "all workers busy; see Retry-After"}.items()}
