"""Question answering: read the question, gather candidate sentences, score them with a fitted model, build the card."""

from .answer import answer_question, score_candidates
from .card import Answer, AnswerResult
from .question import looks_like_question

__all__ = ["Answer", "AnswerResult", "answer_question", "looks_like_question", "score_candidates"]
