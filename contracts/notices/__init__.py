"""The notices the Procurement Act 2023 requires of each procedure (UK4 to UK12), their deadlines, previews
and publication on the Central Digital Platform (Find a Tender), as records of the contracts app."""
