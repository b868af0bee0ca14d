//! A lesson step's goal: a small condition over a run's figures and settings,
//! `test_accuracy >= 0.9 and hidden_units <= 4`, with `and`, `or`, `not` and parentheses.
//!
//! Comparisons are `name OP number` (or `number OP name`), OP one of `< <= > >= == !=`; a number
//! may end in `%` (`90%` is 0.9). A name alone (`diverged`) is true when its value is not 0.
//! Names read run 1 unless prefixed by another run (`run2.test_accuracy`); see [`VARIABLES`].
//! A figure not measured yet (no test set, nothing trained) makes its comparison false, and the
//! status says so.

use std::fmt;

/// The names a goal may use, with what they read.
pub const VARIABLES: [(&str, &str); 18] = [
    ("loss", "the training loss (as the curves show it)"),
    ("train_loss", "the training loss"),
    ("test_loss", "the test loss"),
    (
        "accuracy",
        "the share of training rows classified correctly (0 to 1)",
    ),
    (
        "train_accuracy",
        "the share of training rows classified correctly",
    ),
    (
        "test_accuracy",
        "the share of test rows classified correctly",
    ),
    ("r_squared", "R² on the training rows (regression)"),
    ("test_r_squared", "R² on the test rows (regression)"),
    ("iterations", "the iterations the run has trained"),
    ("hidden_units", "the hidden units, all layers together"),
    (
        "hidden_layers",
        "the number of hidden layers (0: logistic regression)",
    ),
    ("learning_rate", "the learning rate"),
    ("l1", "the L1 penalty"),
    ("l2", "the L2 penalty"),
    (
        "scheduled",
        "1 if the learning rate follows a schedule, else 0",
    ),
    ("runs", "how many runs train side by side"),
    ("diverged", "1 if the run diverged, else 0"),
    (
        "baseline_accuracy",
        "the logistic-regression baseline's training accuracy",
    ),
];

/// The most runs a goal can name (`run1.` … `run5.`).
const MAX_RUN: usize = 5;

/// The longest goal read, in bytes.
pub const MAX_GOAL_BYTES: usize = 2000;

/// How deep parentheses and `not`s may nest.
const MAX_DEPTH: usize = 32;

/// One figure a goal reads: a variable of one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    /// The run (0 is run 1).
    pub run: usize,
    /// One of [`VARIABLES`]' names.
    pub name: &'static str,
}

impl fmt::Display for Variable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.run == 0 {
            f.write_str(self.name)
        } else {
            write!(f, "run{}.{}", self.run + 1, self.name)
        }
    }
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `<`
    Less,
    /// `<=`
    AtMost,
    /// `>`
    Greater,
    /// `>=`
    AtLeast,
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
}

impl Op {
    fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Self::Less => a < b,
            Self::AtMost => a <= b,
            Self::Greater => a > b,
            Self::AtLeast => a >= b,
            Self::Equal => a == b,
            Self::NotEqual => a != b,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Self::Less => "<",
            Self::AtMost => "≤",
            Self::Greater => ">",
            Self::AtLeast => "≥",
            Self::Equal => "=",
            Self::NotEqual => "≠",
        }
    }

    /// The operator with its sides swapped (`3 < x` is `x > 3`).
    fn flipped(self) -> Self {
        match self {
            Self::Less => Self::Greater,
            Self::AtMost => Self::AtLeast,
            Self::Greater => Self::Less,
            Self::AtLeast => Self::AtMost,
            other => other,
        }
    }
}

/// A parsed goal.
#[derive(Clone, Debug, PartialEq)]
pub enum Goal {
    /// `variable OP value`.
    Compare(Variable, Op, f64),
    /// A variable alone: true when it is not 0.
    Truthy(Variable),
    /// `not goal`.
    Not(Box<Goal>),
    /// `a and b and …`.
    All(Vec<Goal>),
    /// `a or b or …`.
    Any(Vec<Goal>),
}

/// Where and why a goal does not parse: `column` is 1-based, in characters.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct GoalError {
    /// The column of the problem within the goal's text.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Name(String),
    Number(f64),
    Op(Op),
    Open,
    Close,
}

fn tokens(text: &str) -> Result<Vec<(usize, Token)>, GoalError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |column: usize, message: String| GoalError { column, message };
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' || c == ')' {
            out.push((column, if c == '(' { Token::Open } else { Token::Close }));
            i += 1;
        } else if matches!(c, '<' | '>' | '=' | '!') {
            let two = chars.get(i + 1) == Some(&'=');
            let op = match (c, two) {
                ('<', false) => Op::Less,
                ('<', true) => Op::AtMost,
                ('>', false) => Op::Greater,
                ('>', true) => Op::AtLeast,
                ('=', true) => Op::Equal,
                ('!', true) => Op::NotEqual,
                _ => {
                    return Err(err(
                        column,
                        format!("{c:?} is not an operator (use <, <=, >, >=, == or !=)"),
                    ));
                }
            };
            out.push((column, Token::Op(op)));
            i += if two { 2 } else { 1 };
        } else if c.is_ascii_digit() || c == '.' || c == '-' {
            let start = i;
            i += 1;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric()
                    || chars[i] == '.'
                    || (matches!(chars[i], '-' | '+') && matches!(chars[i - 1], 'e' | 'E')))
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let mut value = word
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| err(column, format!("{:?} is not a number", short(&word))))?;
            if chars.get(i) == Some(&'%') {
                value /= 100.0;
                i += 1;
            }
            out.push((column, Token::Number(value)));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            out.push((column, Token::Name(chars[start..i].iter().collect())));
        } else {
            return Err(err(column, format!("{c:?} has no place in a goal")));
        }
    }
    Ok(out)
}

fn short(text: &str) -> String {
    crate::text::short(text).into_owned()
}

/// The variable `word` names, or why it names none.
fn variable(word: &str) -> Result<Variable, String> {
    let (run, name) = match word.split_once('.') {
        Some((prefix, name)) => {
            let run = prefix
                .strip_prefix("run")
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| (1..=MAX_RUN).contains(n))
                .ok_or_else(|| {
                    format!(
                        "{:?} is not a run (run1 … run{MAX_RUN}, as in run2.test_accuracy)",
                        short(prefix)
                    )
                })?;
            (run - 1, name)
        }
        None => (0, word),
    };
    let name = VARIABLES
        .iter()
        .map(|(n, _)| *n)
        .find(|n| *n == name)
        .ok_or_else(|| {
            let names: Vec<&str> = VARIABLES.iter().map(|(n, _)| *n).collect();
            format!(
                "{:?} is not a figure a goal can read (one of: {})",
                short(name),
                names.join(", ")
            )
        })?;
    Ok(Variable { run, name })
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    at: usize,
    end_column: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(_, t)| t)
    }

    fn column(&self) -> usize {
        self.tokens
            .get(self.at)
            .map_or(self.end_column, |(c, _)| *c)
    }

    fn fail<T>(&self, message: impl Into<String>) -> Result<T, GoalError> {
        Err(GoalError {
            column: self.column(),
            message: message.into(),
        })
    }

    fn keyword(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Name(n)) if n == word) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn any(&mut self, depth: usize) -> Result<Goal, GoalError> {
        let mut parts = vec![self.all(depth)?];
        while self.keyword("or") {
            parts.push(self.all(depth)?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Goal::Any(parts)
        })
    }

    fn all(&mut self, depth: usize) -> Result<Goal, GoalError> {
        let mut parts = vec![self.unary(depth)?];
        while self.keyword("and") {
            parts.push(self.unary(depth)?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Goal::All(parts)
        })
    }

    fn unary(&mut self, depth: usize) -> Result<Goal, GoalError> {
        if depth > MAX_DEPTH {
            return self.fail(format!("nested more than {MAX_DEPTH} deep"));
        }
        if self.keyword("not") {
            return Ok(Goal::Not(Box::new(self.unary(depth + 1)?)));
        }
        if self.peek() == Some(&Token::Open) {
            self.at += 1;
            let inner = self.any(depth + 1)?;
            if self.peek() != Some(&Token::Close) {
                return self.fail("a parenthesis is not closed");
            }
            self.at += 1;
            return Ok(inner);
        }
        self.comparison()
    }

    fn operand(&mut self) -> Result<Result<Variable, f64>, GoalError> {
        let column = self.column();
        match self.peek().cloned() {
            Some(Token::Name(word)) if ["and", "or", "not"].contains(&word.as_str()) => {
                self.fail(format!("a figure or a number is missing before {word:?}"))
            }
            Some(Token::Name(word)) => {
                self.at += 1;
                variable(&word)
                    .map(Ok)
                    .map_err(|message| GoalError { column, message })
            }
            Some(Token::Number(v)) => {
                self.at += 1;
                Ok(Err(v))
            }
            Some(Token::Close) => self.fail("a figure or a number is missing before )"),
            Some(Token::Op(_)) => self.fail("a figure or a number is missing before the operator"),
            Some(Token::Open) => self.fail("a parenthesis cannot start a comparison's side"),
            None => self.fail("the goal ends where a figure or a number should be"),
        }
    }

    fn comparison(&mut self) -> Result<Goal, GoalError> {
        let column = self.column();
        let left = self.operand()?;
        let Some(Token::Op(op)) = self.peek().cloned() else {
            return match left {
                Ok(v) => Ok(Goal::Truthy(v)),
                Err(_) => Err(GoalError {
                    column,
                    message: "a number alone is no condition (compare a figure with it)".into(),
                }),
            };
        };
        self.at += 1;
        let right = self.operand()?;
        match (left, right) {
            (Ok(v), Err(x)) => Ok(Goal::Compare(v, op, x)),
            (Err(x), Ok(v)) => Ok(Goal::Compare(v, op.flipped(), x)),
            (Ok(_), Ok(_)) => Err(GoalError {
                column,
                message: "compare a figure with a number, not with another figure".into(),
            }),
            (Err(_), Err(_)) => Err(GoalError {
                column,
                message: "compare a figure with a number, not two numbers".into(),
            }),
        }
    }
}

impl Goal {
    /// Parses a goal's text.
    pub fn parse(text: &str) -> Result<Self, GoalError> {
        if text.len() > MAX_GOAL_BYTES {
            return Err(GoalError {
                column: 1,
                message: format!("the goal is {} bytes; at most {MAX_GOAL_BYTES}", text.len()),
            });
        }
        let tokens = tokens(text)?;
        if tokens.is_empty() {
            return Err(GoalError {
                column: 1,
                message: "the goal is empty".into(),
            });
        }
        let mut parser = Parser {
            tokens,
            at: 0,
            end_column: text.chars().count() + 1,
        };
        let goal = parser.any(0)?;
        if parser.at < parser.tokens.len() {
            return parser.fail(match parser.peek() {
                Some(Token::Close) => "a ) has no ( before it".to_owned(),
                _ => "expected and, or or the goal's end here".to_owned(),
            });
        }
        Ok(goal)
    }

    /// The figures the goal reads, in order.
    pub fn variables(&self) -> Vec<&Variable> {
        match self {
            Self::Compare(v, ..) | Self::Truthy(v) => vec![v],
            Self::Not(g) => g.variables(),
            Self::All(gs) | Self::Any(gs) => gs.iter().flat_map(Self::variables).collect(),
        }
    }

    /// The highest run the goal reads (0 is run 1).
    pub fn highest_run(&self) -> usize {
        self.variables().iter().map(|v| v.run).max().unwrap_or(0)
    }

    /// Whether the goal holds for the figures `read` gives (`None`: not measured yet), and if
    /// not, what is missing, in words.
    pub fn status(&self, read: &dyn Fn(&Variable) -> Option<f64>) -> Status {
        let (met, missing) = self.check(read, false);
        Status {
            met,
            missing: if met { String::new() } else { missing },
        }
    }

    /// `(holds, why not)`; `negated` phrases the reason for a `not`.
    fn check(&self, read: &dyn Fn(&Variable) -> Option<f64>, negated: bool) -> (bool, String) {
        match self {
            Self::Compare(v, op, x) => match read(v) {
                None => (false, format!("{v} is not measured yet")),
                Some(value) => {
                    let holds = op.holds(value, *x);
                    let why = if negated {
                        format!(
                            "{v} is {} (it should not be {} {})",
                            figure(v, value),
                            op.symbol(),
                            figure(v, *x)
                        )
                    } else {
                        format!(
                            "{v} is {} (goal: {} {})",
                            figure(v, value),
                            op.symbol(),
                            figure(v, *x)
                        )
                    };
                    (holds, why)
                }
            },
            Self::Truthy(v) => match read(v) {
                None => (false, format!("{v} is not measured yet")),
                Some(value) => (
                    value != 0.0,
                    if negated {
                        format!("{v} should not hold")
                    } else {
                        format!("{v} does not hold yet")
                    },
                ),
            },
            Self::Not(inner) => {
                let (holds, why) = inner.check(read, !negated);
                (!holds, why)
            }
            Self::All(parts) => {
                let mut missing = Vec::new();
                for part in parts {
                    let (holds, why) = part.check(read, negated);
                    if !holds {
                        missing.push(why);
                    }
                }
                (missing.is_empty(), missing.join("; "))
            }
            Self::Any(parts) => {
                let mut missing = Vec::new();
                for part in parts {
                    let (holds, why) = part.check(read, negated);
                    if holds {
                        return (true, String::new());
                    }
                    missing.push(why);
                }
                (false, format!("one of: {}", missing.join(" — or — ")))
            }
        }
    }
}

/// A figure for a goal's status: accuracies as percentages, the rest to four significant
/// digits.
fn figure(v: &Variable, value: f64) -> String {
    if v.name.ends_with("accuracy") {
        format!("{} %", crate::text::significant(100.0 * value, 3))
    } else {
        crate::text::significant(value, 4)
    }
}

/// A goal's state: met, or what is still missing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// The goal holds.
    pub met: bool,
    /// What does not hold yet, in words (empty when met).
    pub missing: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<'a>(values: &'a [(&'a str, f64)]) -> impl Fn(&Variable) -> Option<f64> + 'a {
        move |v| {
            values
                .iter()
                .find(|(n, _)| *n == v.to_string())
                .map(|(_, x)| *x)
        }
    }

    #[test]
    fn and_binds_tighter_than_or_and_parentheses_regroup() {
        let g = Goal::parse("test_accuracy >= 0.9 and hidden_units <= 4 or loss < 0.5").unwrap();
        assert!(matches!(g, Goal::Any(ref parts) if parts.len() == 2));
        let g = Goal::parse("test_accuracy >= 0.9 and (hidden_units <= 4 or loss < 0.5)").unwrap();
        assert!(matches!(g, Goal::All(ref parts) if parts.len() == 2));
        let values = [
            ("test_accuracy", 0.95),
            ("hidden_units", 8.0),
            ("loss", 0.4),
        ];
        assert!(g.status(&read(&values)).met);
        let values = [
            ("test_accuracy", 0.95),
            ("hidden_units", 8.0),
            ("loss", 0.6),
        ];
        let status = g.status(&read(&values));
        assert!(!status.met);
        assert_eq!(
            status.missing,
            "one of: hidden_units is 8 (goal: ≤ 4) — or — loss is 0.6 (goal: < 0.5)"
        );
    }

    #[test]
    fn percentages_flipped_sides_runs_and_not_read_as_written() {
        let g = Goal::parse("90% <= run2.test_accuracy and not diverged").unwrap();
        assert_eq!(
            g,
            Goal::All(vec![
                Goal::Compare(
                    Variable {
                        run: 1,
                        name: "test_accuracy"
                    },
                    Op::AtLeast,
                    0.9
                ),
                Goal::Not(Box::new(Goal::Truthy(Variable {
                    run: 0,
                    name: "diverged"
                }))),
            ])
        );
        assert_eq!(g.highest_run(), 1);
        let status = g.status(&read(&[("run2.test_accuracy", 0.91), ("diverged", 1.0)]));
        assert_eq!(status.missing, "diverged should not hold");
        let status = g.status(&read(&[("diverged", 0.0)]));
        assert_eq!(status.missing, "run2.test_accuracy is not measured yet");
        assert!(
            g.status(&read(&[("run2.test_accuracy", 0.9), ("diverged", 0.0)]))
                .met
        );
    }

    #[test]
    fn bad_goals_name_the_column_and_the_problem() {
        let cases = [
            ("", 1, "the goal is empty"),
            ("accuracy >", 11, "the goal ends where a figure"),
            (
                "acuracy > 0.5",
                1,
                "\"acuracy\" is not a figure a goal can read",
            ),
            ("run9.loss < 1", 1, "\"run9\" is not a run"),
            ("loss = 1", 6, "'=' is not an operator"),
            ("(loss < 1", 10, "a parenthesis is not closed"),
            ("loss < 1)", 9, "a ) has no ( before it"),
            ("loss < 1 loss", 10, "expected and, or"),
            ("loss < accuracy", 1, "not with another figure"),
            ("1 < 2", 1, "not two numbers"),
            ("0.5", 1, "a number alone"),
            ("loss < 1e999", 8, "is not a number"),
            ("loss < 1 and", 13, "the goal ends"),
            ("loss # 1", 6, "'#' has no place"),
            ("and loss < 1", 1, "missing before \"and\""),
        ];
        for (text, column, message) in cases {
            let e = Goal::parse(text).expect_err(text);
            assert_eq!(e.column, column, "{text}: {e}");
            assert!(e.message.contains(message), "{text}: {e}");
        }
        let deep = format!("{}loss < 1{}", "(".repeat(100), ")".repeat(100));
        assert!(Goal::parse(&deep).unwrap_err().message.contains("nested"));
        assert!(
            Goal::parse(&"x".repeat(5000))
                .unwrap_err()
                .message
                .contains("bytes")
        );
    }
}
