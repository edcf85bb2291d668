// Lodestar's own small vocabulary (written for Lodestar, no third-party text): eight job families,
// 40 occupations with alternative titles and typical skills, 24 feed topics ordered so neighbours are
// related (interest drift moves to a neighbour), and 20 cities. Used when no --esco directory is given.
using Lodestar.Data.Schema;

namespace Lodestar.Data.Vocabularies;

public static class BuiltInVocabulary
{
    /// <summary>Feed topics; neighbours in this list are related, so drift to index ±1/±2 is a plausible career move.</summary>
    public static readonly string[] Topics =
    [
        "software craft", "machine learning", "distributed systems", "data engineering", "cloud infrastructure", "cybersecurity",
        "product management", "startups", "leadership", "hiring", "careers", "remote work",
        "marketing", "sales", "personal finance", "finance markets", "accounting", "sustainability",
        "manufacturing", "supply chain", "education", "healthcare practice", "medical research", "public policy",
    ];

    private static readonly OccupationFamily[] Families =
    [
        new("software", "software", [0, 1, 2, 3, 4, 5, 6, 7], ["computer science", "software engineering", "mathematics"]),
        new("healthcare", "hospitals and health care", [21, 22, 8, 10], ["nursing", "medicine", "pharmacy", "biology"]),
        new("finance", "financial services", [14, 15, 16, 23, 8], ["finance", "economics", "accounting"]),
        new("marketing and sales", "marketing and advertising", [12, 13, 7, 10, 11], ["marketing", "communication", "business administration"]),
        new("education", "education", [20, 10, 8, 23], ["education", "psychology", "history"]),
        new("engineering", "manufacturing", [18, 17, 19, 8, 4], ["mechanical engineering", "electrical engineering", "civil engineering"]),
        new("logistics", "transportation and logistics", [19, 18, 17, 11], ["logistics", "business administration"]),
        new("people", "human resources services", [9, 8, 10, 11], ["human resources", "psychology", "law"]),
    ];

    // (family, title, alternative titles, skills, licence or null)
    private static readonly (int Family, string Title, string[] Alt, string[] Skills, string? Licence)[] Occupations =
    [
        (0, "software engineer", ["software developer", "backend engineer", "programmer"], ["python", "java", "c#", "sql", "git", "unit testing", "distributed systems", "api design", "linux"], null),
        (0, "frontend developer", ["web developer", "ui engineer"], ["typescript", "javascript", "react", "css", "accessibility", "git", "unit testing", "api design"], null),
        (0, "data scientist", ["applied scientist", "analytics scientist"], ["python", "statistics", "machine learning", "sql", "experiment design", "data visualisation", "pandas"], null),
        (0, "machine learning engineer", ["ml engineer", "ai engineer", "deep learning engineer"], ["python", "machine learning", "deep learning", "pytorch", "distributed systems", "kubernetes", "model serving"], null),
        (0, "data engineer", ["analytics engineer", "etl developer"], ["python", "sql", "spark", "data pipelines", "airflow", "cloud computing", "data modelling"], null),
        (0, "site reliability engineer", ["devops engineer", "platform engineer"], ["linux", "kubernetes", "cloud computing", "terraform", "incident response", "monitoring", "distributed systems"], null),
        (0, "security analyst", ["cybersecurity analyst", "security engineer"], ["network security", "incident response", "threat modelling", "linux", "siem", "penetration testing"], null),
        (0, "product manager", ["product owner", "technical product manager"], ["product strategy", "user research", "roadmapping", "stakeholder management", "experiment design", "sql"], null),
        (1, "registered nurse", ["staff nurse", "clinical nurse"], ["patient care", "medication administration", "clinical assessment", "electronic health records", "infection control", "triage"], "nursing licence"),
        (1, "physician", ["general practitioner", "medical doctor"], ["clinical assessment", "diagnosis", "patient care", "prescribing", "electronic health records", "medical research"], "medical licence"),
        (1, "pharmacist", ["clinical pharmacist", "community pharmacist"], ["pharmacology", "prescribing", "patient counselling", "medication administration", "regulatory compliance"], "pharmacy licence"),
        (1, "physiotherapist", ["physical therapist"], ["rehabilitation", "patient care", "clinical assessment", "anatomy", "exercise prescription"], "physiotherapy licence"),
        (1, "medical laboratory technician", ["lab technician", "biomedical scientist"], ["phlebotomy", "laboratory techniques", "quality control", "infection control", "data recording"], null),
        (2, "accountant", ["chartered accountant", "staff accountant"], ["financial reporting", "ifrs", "tax law", "excel", "bookkeeping", "auditing"], "chartered accountant certificate"),
        (2, "financial analyst", ["investment analyst", "fp&a analyst"], ["financial modelling", "excel", "forecasting", "valuation", "sql", "data visualisation"], null),
        (2, "auditor", ["internal auditor", "external auditor"], ["auditing", "risk management", "regulatory compliance", "ifrs", "excel"], null),
        (2, "risk manager", ["credit risk analyst", "risk analyst"], ["risk management", "statistics", "regulatory compliance", "financial modelling", "stakeholder management"], null),
        (2, "actuary", ["actuarial analyst"], ["statistics", "financial modelling", "risk management", "python", "excel"], "actuarial qualification"),
        (3, "marketing manager", ["brand manager", "growth marketer"], ["content marketing", "market research", "seo", "google analytics", "budgeting", "stakeholder management"], null),
        (3, "sales representative", ["account executive", "business development representative"], ["negotiation", "crm", "prospecting", "presentation skills", "pipeline management"], null),
        (3, "content strategist", ["copywriter", "content marketer"], ["copywriting", "content marketing", "seo", "social media", "editing"], null),
        (3, "seo specialist", ["search marketing specialist"], ["seo", "google analytics", "html", "keyword research", "content marketing"], null),
        (3, "customer success manager", ["account manager", "client success manager"], ["crm", "stakeholder management", "negotiation", "onboarding", "presentation skills"], null),
        (4, "teacher", ["secondary school teacher", "primary school teacher"], ["curriculum design", "classroom management", "assessment", "lesson planning", "special educational needs"], "teaching licence"),
        (4, "lecturer", ["university lecturer", "assistant professor"], ["curriculum design", "academic writing", "assessment", "research methods", "public speaking"], null),
        (4, "instructional designer", ["learning designer", "e-learning developer"], ["e-learning", "curriculum design", "storyboarding", "assessment", "video editing"], null),
        (5, "mechanical engineer", ["design engineer", "product engineer"], ["cad", "finite element analysis", "thermodynamics", "lean manufacturing", "project management"], null),
        (5, "electrical engineer", ["power engineer", "electronics engineer"], ["circuit design", "plc programming", "cad", "power systems", "project management"], "professional engineer licence"),
        (5, "civil engineer", ["structural engineer", "site engineer"], ["structural analysis", "autocad", "project management", "construction law", "surveying"], "professional engineer licence"),
        (5, "quality engineer", ["quality assurance engineer"], ["six sigma", "quality control", "root cause analysis", "lean manufacturing", "auditing"], null),
        (5, "production supervisor", ["manufacturing supervisor", "shift lead"], ["lean manufacturing", "team leadership", "health and safety", "scheduling", "quality control"], null),
        (6, "truck driver", ["hgv driver", "delivery driver"], ["route planning", "vehicle inspection", "health and safety", "logbook keeping"], "commercial driving licence"),
        (6, "warehouse supervisor", ["warehouse manager", "distribution supervisor"], ["inventory management", "forklift operation", "team leadership", "health and safety", "scheduling"], null),
        (6, "supply chain analyst", ["logistics analyst", "demand planner"], ["forecasting", "inventory management", "sap", "excel", "sql", "vendor management"], null),
        (6, "procurement specialist", ["buyer", "purchasing officer"], ["vendor management", "negotiation", "sap", "contract management", "budgeting"], null),
        (7, "recruiter", ["talent acquisition specialist", "technical recruiter"], ["sourcing", "interviewing", "employer branding", "crm", "negotiation"], null),
        (7, "hr business partner", ["people partner", "hr generalist"], ["employment law", "stakeholder management", "performance management", "coaching", "hris"], null),
        (7, "payroll specialist", ["payroll administrator"], ["payroll", "tax law", "excel", "hris", "bookkeeping"], null),
        (7, "learning and development manager", ["training manager"], ["coaching", "e-learning", "curriculum design", "performance management", "public speaking"], null),
        (7, "talent acquisition manager", ["head of recruiting"], ["sourcing", "team leadership", "employer branding", "interviewing", "budgeting"], null),
    ];

    private static readonly City[] CityList =
    [
        new(new("Berlin", "Berlin", "DE"), 3.7f), new(new("Munich", "Bavaria", "DE"), 1.5f), new(new("Paris", "Île-de-France", "FR"), 4.0f),
        new(new("Lyon", "Auvergne-Rhône-Alpes", "FR"), 1.0f), new(new("Amsterdam", "North Holland", "NL"), 1.2f), new(new("Madrid", "Madrid", "ES"), 3.3f),
        new(new("Barcelona", "Catalonia", "ES"), 1.6f), new(new("Milan", "Lombardy", "IT"), 1.4f), new(new("Warsaw", "Masovia", "PL"), 1.8f),
        new(new("Dublin", "Leinster", "IE"), 1.2f), new(new("London", "England", "GB"), 5.0f), new(new("Manchester", "England", "GB"), 1.1f),
        new(new("Stockholm", "Stockholm", "SE"), 1.0f), new(new("New York", "New York", "US"), 5.0f), new(new("San Francisco", "California", "US"), 2.0f),
        new(new("Austin", "Texas", "US"), 1.0f), new(new("Chicago", "Illinois", "US"), 2.7f), new(new("Toronto", "Ontario", "CA"), 2.8f),
        new(new("Bangalore", "Karnataka", "IN"), 4.0f), new(new("Singapore", "Singapore", "SG"), 2.0f),
    ];

    /// <summary>The eight families; ESCO occupations are mapped onto them by ISCO group.</summary>
    public static IReadOnlyList<OccupationFamily> FamilyList => Families;

    public static IReadOnlyList<City> Cities => CityList;

    public static WorldVocabulary Create()
    {
        var occupations = new Occupation[Occupations.Length];
        for (var i = 0; i < Occupations.Length; i++)
        {
            var (family, title, alt, skills, _) = Occupations[i];
            occupations[i] = new Occupation(i, title, alt, Families[family].Name, Families[family].Industry, skills, "builtin");
        }
        return new WorldVocabulary(
            "builtin",
            occupations,
            [.. Occupations.Select(o => o.Family)],
            [.. Occupations.Select(o => o.Licence)],
            Families,
            Topics,
            CityList);
    }
}
